// A real OpenID Connect provider for the sign-in tests: the certified `oidc-provider`
// package (npm registry; scripts/test installs it into the build cache and names its
// folder in ASSURE_TEST_OIDC_PROVIDER), on 127.0.0.1 at a free port, issuer
// http://localhost:PORT (another site than the app at 127.0.0.1, as a real provider is).
//
// One confidential client, authorization code with PKCE, its redirect and post-logout
// addresses from the environment; test people whose ID tokens carry email,
// email_verified, name and groups. Its own development sign-in form takes any password.
// OIDC_PEOPLE is a JSON object: login (the subject) → claims; or OIDC_PEOPLE_FILE names
// a file holding one, read again at each sign-in (so a test can move a person between
// groups).
// Prints "listening PORT" once it serves; stops when its standard input closes.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.ASSURE_TEST_OIDC_PROVIDER;
if (!dir) {
  console.error('ASSURE_TEST_OIDC_PROVIDER must name the oidc-provider package folder');
  process.exit(2);
}
const { default: Provider } = await import(pathToFileURL(path.join(dir, 'lib', 'index.js')).href);

const people = () => process.env.OIDC_PEOPLE_FILE
  ? JSON.parse(fs.readFileSync(process.env.OIDC_PEOPLE_FILE, 'utf8'))
  : JSON.parse(process.env.OIDC_PEOPLE || '{}');
const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;

const provider = new Provider(`http://localhost:${port}`, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: process.env.OIDC_REDIRECT_URIS.split(' '),
    post_logout_redirect_uris: process.env.OIDC_POST_LOGOUT_URIS.split(' '),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  // The claims in the ID token itself (not only from the userinfo endpoint).
  conformIdTokenClaims: false,
  cookies: { keys: ['assure-test-cookie-key'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, login) {
    const person = people()[login];
    if (!person) return undefined;
    return { accountId: login, async claims() { return { ...person, sub: login }; } };
  },
});
// Quiet: the test reads only the first line.
provider.on('server_error', (ctx, err) => console.error('server_error', err));
server.on('request', provider.callback());
console.log(`listening ${port}`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
