// A real OpenID Connect provider for the tests (npm `oidc-provider`), never a hand-made fake.
// PORT: where it listens on 127.0.0.1. REDIRECT_URIS: comma-separated callbacks of the app.
// Any login name is accepted as the subject; the password is not checked (devInteractions).
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = (process.env.REDIRECT_URIS || '').split(',').filter(Boolean);
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-signing-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'mylife',
    client_secret: 'mylife-test-secret',
    redirect_uris: redirectUris,
    post_logout_redirect_uris: redirectUris.map((uri) => new URL('/', uri).href),
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  pkce: { required: () => true },
  jwks: { keys: [signingKey] },
  cookies: { keys: ['mylife-test-cookie-key'] },
  claims: { openid: ['sub'], profile: ['name'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub, name: `Person ${sub}` }; } };
  },
  // Grant what the client asks for, so the flow has no consent screen.
  async loadExistingGrant(ctx) {
    const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) return ctx.oidc.provider.Grant.find(existing);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    await grant.save();
    return grant;
  },
});

provider.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
