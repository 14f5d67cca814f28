// A real OpenID Connect provider for the tests (npm `oidc-provider`), never a hand-made fake.
// PORT: where it listens on 127.0.0.1.
// REDIRECT_URIS, POST_LOGOUT_URIS: comma-separated addresses of the app (client `mylife`).
// SIGNING_JWK: the private key it signs with (the tests keep it to forge tokens).
// RESOURCE: the FHIR API's resource indicator; tokens for it are JWTs (client `national-portal`).
// Any login name is accepted as the subject; the password is not checked (devInteractions).
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const list = (name) => (process.env[name] || '').split(',').filter(Boolean);
const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const resource = process.env.RESOURCE || 'http://testserver/fhir/R4';
const smartScopes = [
  'patient/Questionnaire.read',
  'patient/QuestionnaireResponse.read',
  'patient/QuestionnaireResponse.write',
  'patient/CarePlan.read',
  'patient/Goal.read',
];
const signingKey = process.env.SIGNING_JWK
  ? JSON.parse(process.env.SIGNING_JWK)
  : { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'generated' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'mylife',
      client_secret: 'mylife-test-secret',
      redirect_uris: list('REDIRECT_URIS'),
      post_logout_redirect_uris: list('POST_LOGOUT_URIS'),
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    {
      client_id: 'national-portal',
      client_secret: 'portal-test-secret',
      redirect_uris: ['http://127.0.0.1/portal/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  pkce: { required: () => true },
  jwks: { keys: [{ ...signingKey, alg: 'RS256', use: 'sig' }] },
  cookies: { keys: ['mylife-test-cookie-key'] },
  claims: { openid: ['sub'], profile: ['name', 'birthdate'] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== resource) throw new Error(`unknown resource ${indicator}`);
        return {
          scope: smartScopes.join(' '),
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 300,
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() { return { sub, name: `Person ${sub}`, birthdate: '2007-05-04' }; },
    };
  },
  // Grant what the client asks for, so the flow has no consent screen.
  async loadExistingGrant(ctx) {
    const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) {
      const grant = await ctx.oidc.provider.Grant.find(existing);
      if (grant) return grant;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    const requested = (ctx.oidc.params.scope || '').split(' ');
    const wanted = ctx.oidc.params.resource;
    if (wanted) grant.addResourceScope(wanted, requested.filter((s) => smartScopes.includes(s)).join(' '));
    await grant.save();
    return grant;
  },
});

provider.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
