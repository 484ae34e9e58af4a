// Who the user is to the API: a Supabase session in production (supabase-js
// refreshes it), or locally a token the local runner mints and prints as
// http://localhost:3000/#token=<jwt>.

export const SUPABASE_MODULE = '/vendor/supabase-2.119.0.esm.js';
const KEY = 'autolynx.token';

let cfg = {};
let sb = null;

// An invitation (or password recovery) link signs the user in without a
// password; the dashboard then asks them to choose one, even after a reload.
const CHOOSE_PASSWORD = 'autolynx.choosePassword';

// initAuth takes a local token out of the URL and, when the config names a
// Supabase project, starts the client (which also reads a magic link's
// session from the URL before the router looks at it).
export async function initAuth(config) {
  cfg = config;
  takeToken();
  const arrival = location.hash;
  if (/[#&]access_token=/.test(arrival) && /&type=(invite|recovery)(&|$)/.test(arrival)) sessionStorage.setItem(CHOOSE_PASSWORD, '1');
  if ((!cfg.localSignIn || cfg.realtime) && cfg.supabaseUrl && cfg.supabaseAnonKey) {
    const { createClient } = await import(SUPABASE_MODULE);
    sb = createClient(cfg.supabaseUrl, cfg.supabaseAnonKey, {
      auth: { persistSession: !cfg.localSignIn, autoRefreshToken: !cfg.localSignIn, detectSessionInUrl: !cfg.localSignIn },
    });
    if (cfg.localSignIn) {
      const t = localStorage.getItem(KEY);
      if (t) sb.realtime.setAuth(t);
    } else {
      await sb.auth.getSession();
    }
  }
}

// takeToken moves a local sign-in token from the URL to localStorage, so
// it neither stays in the address bar nor in the history.
export function takeToken() {
  const m = /^#token=([^&]+)/.exec(location.hash);
  if (!cfg.localSignIn || !m) return;
  setLocalToken(decodeURIComponent(m[1]));
  history.replaceState(null, '', location.pathname + location.search + '#/campaigns');
}

export const isLocal = () => !!cfg.localSignIn;
export const supabase = () => sb;

// token returns the current access token, or null when signed out.
export async function token() {
  if (cfg.localSignIn) return localStorage.getItem(KEY);
  if (!sb) return null;
  const { data } = await sb.auth.getSession();
  return data.session?.access_token || null;
}

// refresh tries once to get a fresh token after a 401.
export async function refresh() {
  if (cfg.localSignIn || !sb) return false;
  const { data, error } = await sb.auth.refreshSession();
  return !error && !!data.session;
}

export function setLocalToken(t) {
  localStorage.setItem(KEY, t.trim());
  sb?.realtime.setAuth(t.trim());
}

export async function signOut() {
  localStorage.removeItem(KEY);
  sessionStorage.removeItem(CHOOSE_PASSWORD);
  if (sb && !cfg.localSignIn) await sb.auth.signOut({ scope: 'local' }).catch(() => {});
}

// onSignedOut reports a session that ended elsewhere (another tab, refresh
// token revoked).
export function onSignedOut(fn) {
  if (sb && !cfg.localSignIn) sb.auth.onAuthStateChange((ev) => ev === 'SIGNED_OUT' && fn());
}

export async function signInWithPassword(email, password) {
  const { error } = await sb.auth.signInWithPassword({ email, password });
  if (error) throw error;
}

export const mustChoosePassword = () => !cfg.localSignIn && sessionStorage.getItem(CHOOSE_PASSWORD) === '1';

export async function choosePassword(password) {
  const { error } = await sb.auth.updateUser({ password });
  if (error) throw error;
  sessionStorage.removeItem(CHOOSE_PASSWORD);
}

export async function sendMagicLink(email) {
  const { error } = await sb.auth.signInWithOtp({
    email,
    options: { shouldCreateUser: false, emailRedirectTo: location.origin + location.pathname },
  });
  if (error) throw error;
}

// claims reads the token's payload (unverified; only to name the user on
// the "not allowlisted" page).
export async function claims() {
  try {
    const p = (await token()).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(p));
  } catch {
    return {};
  }
}
