import { describe, expect, it } from 'vitest';
import { authFromClaims, rolesFromClaims } from '../../../shared/middleware/auth';

describe('roles from token claims', () => {
  it('understands every form of cognito:groups API Gateway may hand over', () => {
    expect(rolesFromClaims({ 'cognito:groups': ['ops', 'cs'] })).toEqual(['ops', 'cs']);
    expect(rolesFromClaims({ 'cognito:groups': '[ops cs]' })).toEqual(['ops', 'cs']);
    expect(rolesFromClaims({ 'cognito:groups': 'ops,cs' })).toEqual(['ops', 'cs']);
    expect(rolesFromClaims({ 'cognito:groups': '[]' })).toEqual([]);
  });

  it('reads machine roles from oms/ scopes and ignores unknown names', () => {
    expect(rolesFromClaims({ scope: 'oms/storefront other/admin oms/root' })).toEqual(['storefront']);
    expect(rolesFromClaims({ 'cognito:groups': '[superuser]' })).toEqual([]);
  });

  it('takes the principal from sub, else client_id; no principal means unauthenticated', () => {
    expect(authFromClaims({ sub: 'u1', client_id: 'c1', scope: 'oms/storefront' })).toEqual({ principal: 'u1', roles: ['storefront'] });
    expect(authFromClaims({ client_id: 'c1', scope: 'oms/storefront' })?.principal).toBe('c1');
    expect(authFromClaims({ scope: 'oms/storefront' })).toBeUndefined();
    expect(authFromClaims(undefined)).toBeUndefined();
  });
});
