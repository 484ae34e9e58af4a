// Keeps a view fresh. With Supabase Realtime, database changes trigger a
// debounced refetch; otherwise the view polls with conditional requests,
// every second while a campaign is live and every ten seconds when idle,
// and not at all while the tab is hidden.

import { supabase } from './auth.js';
import { debounce } from './dom.js';

const FAST = 1000, SLOW = 10000;

// watch runs refresh now and whenever things may have changed. refresh
// resolves to true while something is live; a throw goes to onError, and
// onError(null) follows the next success.
// tables are postgres_changes subscriptions ({table, filter}), used when
// realtime is on. It returns a stop function.
export function watch(refresh, { realtime, tables = [], onError = () => {} }) {
  let timer = 0, stopped = false, live = false, running = false, again = false, failing = false, channel = null;

  const run = async () => {
    clearTimeout(timer);
    if (stopped || document.hidden) return;
    if (running) { again = true; return; }
    running = true;
    let wait = 0;
    try {
      live = await refresh();
      if (failing) onError(null);
      failing = false;
    } catch (err) {
      if (err.status === 401) return stop();
      wait = (err.retryAfter || 5) * 1000;
      failing = true;
      onError(err);
    } finally {
      running = false;
    }
    if (again) { again = false; return run(); }
    if (!stopped && !document.hidden && !channel) timer = setTimeout(run, wait || (live ? FAST : SLOW));
  };
  const soon = debounce(run, 300);

  const sb = realtime && supabase();
  if (sb) {
    channel = sb.channel(`autolynx-${Math.random().toString(36).slice(2)}`);
    for (const t of tables) channel.on('postgres_changes', { event: '*', schema: 'public', ...t }, soon);
    channel.subscribe((status) => {
      if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
        sb.removeChannel(channel); // fall back to polling
        channel = null;
        run();
      }
    });
  }

  const onVisible = () => (document.hidden ? clearTimeout(timer) : run());
  document.addEventListener('visibilitychange', onVisible);
  run();

  function stop() {
    stopped = true;
    clearTimeout(timer);
    soon.cancel();
    document.removeEventListener('visibilitychange', onVisible);
    if (channel) sb.removeChannel(channel);
  }
  stop.now = run;
  return stop;
}
