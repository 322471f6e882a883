import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import type { OmsFunction } from './oms-function';

export interface CustomerMailProps {
  readonly config: StageConfig;
  /** the worker that e-mails customers */
  readonly sender: OmsFunction;
  /** base URL of the public tracking route the messages link to */
  readonly trackingBaseUrl: string;
}

/**
 * The stage's SES identity for customer e-mail (a domain with Easy DKIM, or one address)
 * and the sender's right to send from it: `ses:SendEmail` on that identity only, and only
 * with the stage's from-address. The sender gets MAIL_FROM and PUBLIC_TRACKING_URL.
 */
export class CustomerMail extends Construct {
  readonly identity: EmailIdentity;

  constructor(scope: Construct, id: string, props: CustomerMailProps) {
    super(scope, id);
    const { identity, from } = props.config.customerMail;
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: identity.includes('@') ? Identity.email(identity) : Identity.domain(identity),
    });
    props.sender.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [this.identity.emailIdentityArn],
        conditions: { StringEquals: { 'ses:FromAddress': from } },
      }),
    );
    props.sender.fn.addEnvironment('MAIL_FROM', from);
    props.sender.fn.addEnvironment('PUBLIC_TRACKING_URL', props.trackingBaseUrl);
  }
}
