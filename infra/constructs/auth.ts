import { Aws, Duration, Validations } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import {
  AccountRecovery,
  type UserPoolDomain,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { ROLES } from '../routes';

export interface AuthProps {
  readonly config: StageConfig;
  /** The staff console's address (`https://…/console/`): the hosted UI sends people back there. */
  readonly consoleUrl?: string;
}

/**
 * Who may call the API. People (staff) sign in to the user pool and carry their
 * role as a group; machines (storefronts) use the client-credentials grant and
 * carry it as the scope `oms/<role>`. The JWT authorizer accepts tokens of both
 * clients; the handlers decide by role.
 */
export class Auth extends Construct {
  readonly userPool: UserPool;
  readonly resourceServer: UserPoolResourceServer;
  /** Machine-to-machine client for storefronts (client credentials, scope oms/storefront). */
  readonly storefrontClient: UserPoolClient;
  /** Client for staff tools (SRP sign-in, no OAuth redirects). */
  readonly staffClient: UserPoolClient;
  readonly authorizer: HttpJwtAuthorizer;
  /** Hosts the OAuth2 token endpoint (`<baseUrl>/oauth2/token`) and the hosted UI. */
  readonly domain: UserPoolDomain;
  /** Client for the staff console: hosted UI sign-in, authorization code with PKCE, no secret. */
  readonly consoleClient?: UserPoolClient;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    const { config } = props;

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `oms-${config.stage}`,
      // Staff accounts are created by an administrator, never self-registered.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: config.auth.threatProtection ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(config.auth.threatProtection
        ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION }
        : {}),
      deletionProtection: config.table.deletionProtection,
      removalPolicy: config.removalPolicy,
    });

    if (!config.auth.threatProtection) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason: `The Plus tier is billed per active user; stage ${config.stage} only has test staff accounts (MFA required). Prod enables it.`,
      });
    }

    for (const role of ROLES) {
      this.userPool.addGroup(`Group-${role}`, { groupName: role, description: `OMS role ${role}` });
    }

    const roleScopes = Object.fromEntries(
      ROLES.map((role) => [role, new ResourceServerScope({ scopeName: role, scopeDescription: `Act as ${role}` })]),
    );
    this.resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: 'oms',
      userPoolResourceServerName: 'oms',
      scopes: Object.values(roleScopes),
    });

    // The token endpoint for the client-credentials grant lives on the pool's domain.
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: `oms-${config.stage}-${Aws.ACCOUNT_ID}` },
    });

    this.storefrontClient = this.userPool.addClient('StorefrontClient', {
      userPoolClientName: 'storefront',
      generateSecret: true,
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [OAuthScope.resourceServer(this.resourceServer, roleScopes.storefront)],
      },
      accessTokenValidity: Duration.hours(1),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });

    this.staffClient = this.userPool.addClient('StaffClient', {
      userPoolClientName: 'staff',
      // SRP for staff tools; ADMIN_USER_PASSWORD_AUTH only for callers with IAM rights on the
      // pool (an operator's profile), so a token can be had with the AWS CLI (README: Deploying a stage).
      authFlows: { userSrp: true, adminUserPassword: true },
      disableOAuth: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });

    if (props.consoleUrl) {
      // A browser app keeps no secret: the code grant is bound to the sign-in by PKCE.
      this.consoleClient = this.userPool.addClient('ConsoleClient', {
        userPoolClientName: 'console',
        generateSecret: false,
        oAuth: {
          flows: { authorizationCodeGrant: true },
          scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
          callbackUrls: [props.consoleUrl],
          logoutUrls: [props.consoleUrl],
        },
        supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
        accessTokenValidity: Duration.hours(1),
        idTokenValidity: Duration.hours(1),
        refreshTokenValidity: Duration.hours(12),
        enableTokenRevocation: true,
        preventUserExistenceErrors: true,
      });
    }

    // Cognito access tokens have no `aud`; API Gateway then matches `client_id`
    // against this audience list. The issuer must equal the tokens' `iss` exactly:
    // `https://cognito-idp.<region>.amazonaws.com/<poolId>` (the pool's ProviderURL
    // attribute lacks the scheme, so it is spelled out here).
    const issuer = `https://cognito-idp.${Aws.REGION}.amazonaws.com/${this.userPool.userPoolId}`;
    this.authorizer = new HttpJwtAuthorizer('CognitoAuthorizer', issuer, {
      jwtAudience: [
        this.storefrontClient.userPoolClientId,
        this.staffClient.userPoolClientId,
        ...(this.consoleClient ? [this.consoleClient.userPoolClientId] : []),
      ],
      identitySource: ['$request.header.Authorization'],
    });
  }
}
