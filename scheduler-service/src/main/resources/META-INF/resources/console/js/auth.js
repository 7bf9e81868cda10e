// Sign-in: the OpenID authorization-code grant with PKCE (RFC 7636), done by the page itself as a public client.
// Tokens stay in this tab's sessionStorage (gone when the tab closes) and are refreshed shortly before they expire;
// every API call carries the access token as a bearer token, as any other client of Ferry's API does.
const SESSION = 'ferry.console.session';
const PENDING = 'ferry.console.pending';
const EARLY_MS = 30_000; // refresh this long before expiry, so that a call never leaves with a token about to lapse

let settings;
let endpoints;
let session = JSON.parse(sessionStorage.getItem(SESSION) || 'null');
let refreshing = null;

const redirectUri = () => location.origin + location.pathname;

function b64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString() {
  return b64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function sha256(text) {
  return b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/** The provider's endpoints from its discovery document, or Keycloak's paths when the document cannot be read here. */
async function discover() {
  if (endpoints) return endpoints;
  settings = await (await fetch('/console-settings')).json();
  try {
    const d = await (await fetch(settings.issuer + '/.well-known/openid-configuration')).json();
    endpoints = { authorize: d.authorization_endpoint, token: d.token_endpoint, logout: d.end_session_endpoint };
  } catch (e) {
    endpoints = { authorize: settings.issuer + '/protocol/openid-connect/auth',
      token: settings.issuer + '/protocol/openid-connect/token' };
  }
  return endpoints;
}

async function redirectToSignIn() {
  const e = await discover();
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: location.hash }));
  const q = new URLSearchParams({ response_type: 'code', client_id: settings.clientId, redirect_uri: redirectUri(),
    scope: 'openid', state, code_challenge: await sha256(verifier), code_challenge_method: 'S256' });
  location.assign(e.authorize + '?' + q);
  return new Promise(() => {}); // the page is leaving
}

async function tokenRequest(form) {
  const e = await discover();
  const r = await fetch(e.token, { method: 'POST', body: new URLSearchParams({ client_id: settings.clientId, ...form }) });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error_description || body.error || ('the identity provider answered ' + r.status));
  return body;
}

function keep(answer) {
  const claims = JSON.parse(atob(answer.access_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  session = { accessToken: answer.access_token, refreshToken: answer.refresh_token,
    expiresAt: Date.now() + answer.expires_in * 1000, name: claims.preferred_username || claims.sub,
    roles: (claims.realm_access && claims.realm_access.roles) || [] };
  sessionStorage.setItem(SESSION, JSON.stringify(session));
}

/** Signs in (coming back from the provider, or sending the browser there) and answers who is signed in. */
export async function signIn() {
  const params = new URLSearchParams(location.search);
  if (params.has('code') || params.has('error')) {
    const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
    sessionStorage.removeItem(PENDING);
    history.replaceState(null, '', redirectUri() + (pending ? pending.hash : ''));
    if (params.has('error')) throw new Error('sign-in refused: ' + (params.get('error_description') || params.get('error')));
    if (!pending || pending.state !== params.get('state')) return redirectToSignIn(); // not the answer to our request
    keep(await tokenRequest({ grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri(),
      code_verifier: pending.verifier }));
  }
  if (!session) return redirectToSignIn();
  await token();
  return session;
}

/** A valid access token, refreshed first when it is about to expire; signs in again when refreshing is refused. */
export async function token() {
  if (session && Date.now() < session.expiresAt - EARLY_MS) return session.accessToken;
  if (!session || !session.refreshToken) return redirectToSignIn();
  refreshing = refreshing || tokenRequest({ grant_type: 'refresh_token', refresh_token: session.refreshToken })
    .then(keep).catch(() => { session = null; sessionStorage.removeItem(SESSION); })
    .finally(() => { refreshing = null; });
  await refreshing;
  return session ? session.accessToken : redirectToSignIn();
}

export function hasRole(role) {
  const included = { admin: ['admin', 'operator', 'viewer'], operator: ['operator', 'viewer'], viewer: ['viewer'] };
  return !!session && session.roles.some(r => (included[r] || [r]).includes(role));
}

export async function signOut() {
  sessionStorage.removeItem(SESSION);
  session = null;
  const e = await discover();
  if (e.logout) {
    location.assign(e.logout + '?' + new URLSearchParams({ client_id: settings.clientId, post_logout_redirect_uri: redirectUri() }));
  } else {
    location.reload();
  }
}
