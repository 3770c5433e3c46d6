// Gantry web UI: the few things that need a script. Pages work without it; this only makes them live.
(() => {
  'use strict';

  // The tenant switcher changes tenant as soon as one is chosen.
  for (const select of document.querySelectorAll('select[data-autosubmit]')) {
    select.addEventListener('change', () => { if (select.value) select.form.requestSubmit(); });
  }

  // Copy buttons beside credentials shown once: the clipboard where the browser allows it, else the text selected.
  for (const button of document.querySelectorAll('button[data-copy]')) {
    button.addEventListener('click', async () => {
      const field = document.getElementById(button.dataset.copy);
      const status = document.querySelector('[data-copy-status]');
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
        if (status) status.textContent = `Copied ${field.labels[0]?.textContent ?? ''} to the clipboard.`;
      } catch {
        if (status) status.textContent = 'The browser did not allow copying: the text is selected, press Ctrl+C.';
      }
    });
  }

  // Expiry countdowns ("in 23 h 5 min"), the words the server rendered them with, kept current each half minute.
  const countdowns = document.querySelectorAll('time[data-countdown]');
  const tick = () => {
    for (const time of countdowns) {
      const left = Date.parse(time.dateTime) - Date.now();
      const hours = Math.floor(left / 3600000), minutes = Math.floor((left % 3600000) / 60000);
      time.textContent = left <= 0 ? 'expired' : hours >= 48 ? `in ${Math.floor(hours / 24)} days ${hours % 24} h` : `in ${hours} h ${minutes} min`;
    }
  };
  if (countdowns.length > 0) setInterval(tick, 30000);

  // Live status: the tenant's Server-Sent Events stream (the API's, with the session cookie) updates every badge,
  // message and engine revision on the page. It resumes after the last event the page was rendered with.
  const root = document.querySelector('[data-live-tenant]');
  const indicator = document.querySelector('[data-live-indicator]');
  if (!root || !('EventSource' in window)) {
    if (indicator) indicator.textContent = 'Live updates: off (reload to refresh)';
    return;
  }

  const tenant = root.dataset.liveTenant;
  const after = root.dataset.lastEventId;
  const url = `/api/v1/tenants/${encodeURIComponent(tenant)}/events/stream` + (after ? `?lastEventId=${encodeURIComponent(after)}` : '');
  const source = new EventSource(url);
  const say = (text) => { if (indicator) indicator.textContent = text; };
  const each = (attribute, target, update) => {
    for (const element of document.querySelectorAll(`[${attribute}="${CSS.escape(target)}"]`)) update(element);
  };

  source.addEventListener('open', () => say('Live updates: on'));
  source.addEventListener('error', () => say(source.readyState === EventSource.CLOSED ? 'Live updates: off (reload to refresh)' : 'Live updates: reconnecting…'));
  source.addEventListener('status', (message) => {
    const event = JSON.parse(message.data);
    // Only reports that moved the status count: a late report about an older change does not.
    if (!event.applied || event.kind !== 'instance') return;
    each('data-phase-for', event.target, (badge) => {
      badge.textContent = event.phase;
      badge.className = `badge phase-${event.phase.toLowerCase()}`;
    });
    each('data-phase-text-for', event.target, (text) => { text.textContent = event.phase; });
    each('data-message-for', event.target, (text) => { text.textContent = event.message || '—'; });
    if (event.engineRevision) each('data-engine-revision-for', event.target, (text) => { text.textContent = event.engineRevision; });
  });
  window.addEventListener('pagehide', () => source.close());
})();
