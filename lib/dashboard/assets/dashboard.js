/*
 * The campaign dashboard, a plain script (no build step, no dependency).
 * Everything it shows comes from the module's JSON API with the Bearer token
 * typed into the sign-in form, so it sees exactly what the API lets that
 * token see. Text is always set with textContent: nothing from the API is
 * parsed as HTML.
 */
(function () {
  'use strict';

  const TOKEN_KEY = 'campaign-dashboard-token';
  const CALL_PAGE = 100;
  const FINAL = new Set([
    'answered',
    'completed',
    'failed',
    'invalid_number',
    'opted_out',
    'cancelled',
    'blocked',
  ]);
  const STATUS_ORDER = [
    'answered',
    'completed',
    'failed',
    'invalid_number',
    'opted_out',
    'blocked',
    'cancelled',
    'dialing',
    'retry_pending',
    'queued',
  ];
  const LABELS = {
    queued: 'queued',
    dialing: 'dialing',
    retry_pending: 'retry pending',
    answered: 'answered',
    completed: 'completed',
    failed: 'failed',
    invalid_number: 'invalid number',
    opted_out: 'opted out',
    cancelled: 'cancelled',
    blocked: 'blocked',
    no_answer: 'no answer',
    busy: 'busy',
    voicemail: 'voicemail',
    interrupted: 'interrupted',
  };
  const WAIT_REASONS = {
    calling_hours: 'Outside calling hours',
    holiday: 'Public holiday',
    cap: 'Attempt limit reached',
    in_progress: 'Already on another call',
    hook: 'Held by the host',
    provider_limit: 'Provider limit',
    blocked: 'Never dialed',
  };

  const body = document.body;
  const config = {
    path: body.dataset.dashboardPath || '',
    api: body.dataset.apiPrefix || 'campaign',
    refreshMs: Math.max(250, Number(body.dataset.refreshMs) || 2000),
  };
  // The page is served at `<global prefix>/<path>`: the API is beside it.
  const pagePath = location.pathname.replace(/\/+$/, '');
  const suffix = '/' + config.path;
  const root = pagePath.endsWith(suffix)
    ? pagePath.slice(0, -suffix.length)
    : '';
  const apiBase = root + '/' + config.api;

  const $ = (id) => document.getElementById(id);
  const signInSection = $('sign-in');
  const signInForm = $('sign-in-form');
  const tokenInput = $('token');
  const tokenError = $('token-error');
  const signOutButton = $('sign-out');
  const view = $('view');
  const live = $('live');

  let token = sessionStorage.getItem(TOKEN_KEY);
  let timer = null;
  let generation = 0;
  let current = null;

  class SignedOut extends Error {}

  /** An element: `h('p', { class: 'x' }, 'text', child)`. */
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name === 'class') element.className = value;
      else if (name.startsWith('on')) {
        element.addEventListener(name.slice(2), value);
      } else element.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : String(child));
    }
    return element;
  }

  function announce(message) {
    live.textContent = '';
    // A new text node, so that the same message twice is read twice.
    setTimeout(() => {
      live.textContent = message;
    }, 50);
  }

  const label = (key) => LABELS[key] || String(key).replace(/_/g, ' ');
  const shortId = (id) => String(id).slice(0, 8);
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

  function time(iso) {
    if (!iso) return '—';
    const date = new Date(iso);
    return h(
      'time',
      { datetime: iso },
      date.toLocaleString(undefined, {
        dateStyle: 'medium',
        timeStyle: 'short',
      }),
    );
  }

  async function api(path, options) {
    const response = await fetch(apiBase + path, {
      method: (options && options.method) || 'GET',
      headers: {
        Authorization: 'Bearer ' + token,
        Accept: 'application/json',
      },
      cache: 'no-store',
      credentials: 'omit',
    });
    if (response.status === 401) {
      signOut('The token was not accepted: sign in again.', true);
      throw new SignedOut();
    }
    const data = await response.json().catch(() => null);
    return { status: response.status, data };
  }

  // ---- Sign in / out -------------------------------------------------------

  /** The sign-in form, with why it is shown (`problem`: the token failed). */
  function showSignIn(message, problem) {
    stopPolling();
    generation++;
    view.hidden = true;
    view.replaceChildren();
    signOutButton.hidden = true;
    signInSection.hidden = false;
    tokenError.textContent = message || '';
    tokenInput.setAttribute('aria-invalid', problem ? 'true' : 'false');
    document.title = 'Sign in – Call campaigns';
    tokenInput.focus();
  }

  function signOut(message, problem) {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    showSignIn(message, problem);
  }

  signInForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const given = tokenInput.value.trim();
    if (!given) {
      tokenError.textContent = 'Enter an API token.';
      tokenInput.setAttribute('aria-invalid', 'true');
      tokenInput.focus();
      return;
    }
    token = given;
    try {
      const { status } = await api('?limit=1');
      if (status !== 200) throw new Error(`HTTP ${status}`);
    } catch (error) {
      if (!(error instanceof SignedOut)) {
        token = null;
        tokenError.textContent = 'The server could not be reached. Try again.';
      }
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    tokenInput.value = '';
    signInSection.hidden = true;
    signOutButton.hidden = false;
    route();
  });

  signOutButton.addEventListener('click', () => signOut('Signed out.'));

  // ---- Routing and polling -------------------------------------------------

  const CAMPAIGN_ROUTE = /^#\/campaigns\/([0-9a-fA-F-]{36})$/;

  function route() {
    if (!token) {
      showSignIn();
      return;
    }
    stopPolling();
    generation++;
    signInSection.hidden = true;
    signOutButton.hidden = false;
    view.hidden = false;
    const match = CAMPAIGN_ROUTE.exec(location.hash);
    current = match ? campaignView(match[1].toLowerCase()) : listView();
    view.replaceChildren(current.element);
    current.heading.focus();
    poll(generation);
  }

  async function poll(mine) {
    if (mine !== generation || !token) return;
    if (document.hidden) {
      timer = setTimeout(() => poll(mine), config.refreshMs);
      return;
    }
    const shown = current;
    try {
      await shown.refresh();
      shown.setError('');
    } catch (error) {
      if (error instanceof SignedOut) return;
      shown.setError('Could not refresh: retrying.');
    }
    if (mine === generation) {
      timer = setTimeout(() => poll(mine), config.refreshMs);
    }
  }

  function stopPolling() {
    clearTimeout(timer);
    timer = null;
  }

  window.addEventListener('hashchange', route);

  // ---- Shared pieces -------------------------------------------------------

  function statusBadge(status) {
    return h('span', { class: `badge badge-${status}` }, label(status));
  }

  /** A bar of the calls by status, with its counts as text beside it. */
  function progress(name) {
    const bar = h('div', {
      class: 'progress',
      role: 'progressbar',
      'aria-label': name,
      'aria-valuemin': '0',
    });
    const summary = h('p', { class: 'progress-text' });
    const legend = h('ul', { class: 'legend' });
    return {
      elements: [summary, bar, legend],
      update(calls) {
        const total = calls.total || 0;
        const counts = calls.by_status || {};
        let done = 0;
        for (const [status, n] of Object.entries(counts)) {
          if (FINAL.has(status)) done += n;
        }
        bar.setAttribute('aria-valuemax', String(total));
        bar.setAttribute('aria-valuenow', String(done));
        const text = `${done} of ${plural(total, 'call', 'calls')} finished`;
        bar.setAttribute('aria-valuetext', text);
        summary.textContent = text;
        const segments = [];
        const items = [];
        for (const status of STATUS_ORDER) {
          const n = counts[status];
          if (!n) continue;
          const segment = h('span', {
            class: `segment fill-${status}`,
            'aria-hidden': 'true',
          });
          segment.style.width = `${(100 * n) / Math.max(total, 1)}%`;
          segments.push(segment);
          items.push(
            h(
              'li',
              {},
              h('span', {
                class: `swatch fill-${status}`,
                'aria-hidden': 'true',
              }),
              `${label(status)}: ${n}`,
            ),
          );
        }
        bar.replaceChildren(...segments);
        legend.replaceChildren(...items);
      },
    };
  }

  function errorBanner() {
    const element = h('p', { class: 'error', role: 'alert' });
    return {
      element,
      set(message) {
        if (element.textContent !== message) element.textContent = message;
      },
    };
  }

  function updatedAt() {
    const element = h('p', { class: 'hint' });
    return {
      element,
      touch() {
        element.textContent = `Updated ${new Date().toLocaleTimeString()}, every ${
          config.refreshMs / 1000
        } s.`;
      },
    };
  }

  // ---- The account's campaigns --------------------------------------------

  function listView() {
    document.title = 'Campaigns – Call campaigns';
    const heading = h('h1', { id: 'list-title', tabindex: '-1' }, 'Campaigns');
    const error = errorBanner();
    const stamp = updatedAt();
    const filter = h(
      'select',
      { id: 'status-filter', onchange: () => refresh().catch(() => {}) },
      h('option', { value: '' }, 'All'),
      ['running', 'scheduled', 'paused', 'completed', 'cancelled'].map((s) =>
        h('option', { value: s }, label(s)),
      ),
    );
    const list = h('ul', { class: 'cards', 'aria-label': 'Campaigns' });
    const empty = h('p', { hidden: true }, 'No campaign yet.');
    const more = h('p', { class: 'hint', hidden: true });
    const cards = new Map();
    const statuses = new Map();
    let last = '';

    async function refresh() {
      const status = filter.value;
      const query = `?counts=true&limit=50${status ? `&status=${status}` : ''}`;
      const { status: code, data } = await api(query);
      if (code !== 200) throw new Error(`HTTP ${code}`);
      stamp.touch();
      const text = JSON.stringify(data);
      if (text === last) return;
      last = text;
      const seen = new Set();
      data.data.forEach((campaign, index) => {
        seen.add(campaign.campaign_id);
        let card = cards.get(campaign.campaign_id);
        if (!card) {
          card = campaignCard(campaign.campaign_id);
          cards.set(campaign.campaign_id, card);
        }
        card.update(campaign);
        placeAt(list, card.element, index);
        const before = statuses.get(campaign.campaign_id);
        if (before && before !== campaign.status) {
          announce(
            `Campaign ${shortId(campaign.campaign_id)} is now ${label(campaign.status)}.`,
          );
        }
        statuses.set(campaign.campaign_id, campaign.status);
      });
      for (const [id, card] of cards) {
        if (!seen.has(id)) {
          card.element.remove();
          cards.delete(id);
        }
      }
      empty.hidden = data.data.length > 0;
      empty.textContent = status
        ? `No ${label(status)} campaign.`
        : 'No campaign yet.';
      more.hidden = !data.next_cursor;
      more.textContent = 'Showing the 50 newest campaigns.';
    }

    return {
      heading,
      refresh,
      setError: error.set,
      element: h(
        'section',
        { class: 'panel', 'aria-labelledby': 'list-title' },
        h('div', { class: 'title-row' }, heading),
        h(
          'div',
          { class: 'toolbar' },
          h('label', { for: 'status-filter' }, 'Show'),
          filter,
        ),
        error.element,
        stamp.element,
        empty,
        list,
        more,
      ),
    };
  }

  function campaignCard(id) {
    const link = h('a', { href: `#/campaigns/${id}` });
    const badge = h('span');
    const meta = h('p', { class: 'meta' });
    const bar = progress(`Progress of campaign ${shortId(id)}`);
    const element = h(
      'li',
      { class: 'card' },
      h('h2', { class: 'card-title' }, link, ' ', badge),
      meta,
      bar.elements,
    );
    return {
      element,
      update(campaign) {
        link.textContent = `Campaign ${shortId(id)}`;
        badge.replaceChildren(statusBadge(campaign.status));
        meta.replaceChildren(
          `${plural(campaign.calls.total, 'call', 'calls')} · created `,
          time(campaign.created_at),
          campaign.launch_at ? ' · launch ' : '',
          campaign.launch_at ? time(campaign.launch_at) : '',
        );
        bar.update(campaign.calls);
      },
    };
  }

  // ---- One campaign ------------------------------------------------------

  function campaignView(id) {
    document.title = `Campaign ${shortId(id)} – Call campaigns`;
    const heading = h('h1', { tabindex: '-1' }, `Campaign ${shortId(id)}`);
    const badge = h('span');
    const error = errorBanner();
    const stamp = updatedAt();
    const details = h('dl', { class: 'details' });
    const bar = progress('Calls finished');
    const outcomes = h('ul', { class: 'bars' });
    const noOutcome = h('p', { class: 'hint' }, 'No call has an outcome yet.');
    const callsBody = h('tbody', { role: 'rowgroup' });
    const callsNote = h('p', { class: 'hint' });
    const moreCalls = h(
      'button',
      { type: 'button', class: 'button secondary', hidden: true },
      'Show more calls',
    );
    const content = h('div', { hidden: true });
    const missing = h(
      'p',
      { hidden: true },
      'No such campaign in your account.',
    );
    const rows = new Map();
    let callLimit = CALL_PAGE;
    let lastStatus = null;
    let lastCampaign = '';
    let lastCalls = '';

    const buttons = {
      pause: h('button', { type: 'button', class: 'button' }, 'Pause'),
      resume: h('button', { type: 'button', class: 'button' }, 'Resume'),
      cancel: h(
        'button',
        { type: 'button', class: 'button danger' },
        'Cancel campaign',
      ),
    };
    const allowed = {
      pause: ['scheduled', 'running'],
      resume: ['paused'],
      cancel: ['scheduled', 'running', 'paused'],
    };
    const next = { pause: 'resume', resume: 'pause' };
    for (const [action, button] of Object.entries(buttons)) {
      button.addEventListener('click', () => act(action));
    }

    async function act(action) {
      if (
        action === 'cancel' &&
        !window.confirm(
          'Cancel this campaign? Calls not yet dialing end cancelled; this cannot be undone.',
        )
      ) {
        return;
      }
      const button = buttons[action];
      button.disabled = true;
      try {
        const { status, data } = await api(`/${id}/${action}`, {
          method: 'POST',
        });
        if (status !== 200) {
          error.set(
            `Could not ${action}: ${(data && data.message) || `HTTP ${status}`}.`,
          );
          return;
        }
        showCampaign(data);
        announce(`Campaign ${label(data.status)}.`);
        const follow = buttons[next[action]];
        if (follow && !follow.hidden) follow.focus();
        else heading.focus();
      } catch (failure) {
        if (!(failure instanceof SignedOut)) {
          error.set(`Could not ${action}: the server could not be reached.`);
        }
      } finally {
        button.disabled = false;
      }
    }

    function showCampaign(campaign) {
      const text = JSON.stringify(campaign);
      if (text === lastCampaign) return;
      lastCampaign = text;
      if (lastStatus && lastStatus !== campaign.status) {
        announce(`Campaign ${shortId(id)} is now ${label(campaign.status)}.`);
      }
      lastStatus = campaign.status;
      badge.replaceChildren(statusBadge(campaign.status));
      for (const [action, button] of Object.entries(buttons)) {
        button.hidden = !allowed[action].includes(campaign.status);
      }
      const entries = [
        ['Status', label(campaign.status)],
        ['Calls', String(campaign.calls.total)],
        ['Created', time(campaign.created_at)],
        ['Launch', campaign.launch_at ? time(campaign.launch_at) : 'now'],
        ['Started', time(campaign.started_at)],
        ['Completed', time(campaign.completed_at)],
        [
          'Recall',
          campaign.recall.length
            ? campaign.recall.map((m) => `${m} min`).join(', ')
            : 'no retries',
        ],
        ['Campaign id', h('code', {}, campaign.campaign_id)],
      ];
      details.replaceChildren(
        ...entries.map(([term, value]) =>
          h('div', {}, h('dt', {}, term), h('dd', {}, value)),
        ),
      );
      bar.update(campaign.calls);
      showOutcomes(campaign.calls.by_outcome || {});
    }

    function showOutcomes(byOutcome) {
      const entries = Object.entries(byOutcome).sort((a, b) => b[1] - a[1]);
      const total = entries.reduce((n, [, count]) => n + count, 0);
      noOutcome.hidden = total > 0;
      outcomes.replaceChildren(
        ...entries.map(([outcome, count]) => {
          const fill = h('span', {
            class: `bar-fill fill-${outcome}`,
            'aria-hidden': 'true',
          });
          fill.style.width = `${(100 * count) / total}%`;
          const percent = Math.round((100 * count) / total);
          return h(
            'li',
            {},
            h('span', { class: 'bar-label' }, label(outcome)),
            h('span', { class: 'bar-track', 'aria-hidden': 'true' }, fill),
            h('span', { class: 'bar-value' }, `${count} (${percent}%)`),
          );
        }),
      );
    }

    async function loadCalls() {
      const calls = [];
      let cursor = null;
      do {
        const limit = Math.min(200, callLimit - calls.length);
        const query = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const { status, data } = await api(`/${id}/calls${query}`);
        if (status !== 200) throw new Error(`HTTP ${status}`);
        calls.push(...data.data);
        cursor = data.next_cursor;
      } while (cursor && calls.length < callLimit);
      return { calls, more: Boolean(cursor) };
    }

    function showCalls(calls, more, total, status) {
      const text = JSON.stringify([status, calls]);
      if (text !== lastCalls) {
        lastCalls = text;
        const seen = new Set();
        calls.forEach((call, index) => {
          seen.add(call.call_id);
          let row = rows.get(call.call_id);
          if (!row) {
            row = callRow();
            rows.set(call.call_id, row);
          }
          row.update(call, status);
          placeAt(callsBody, row.element, index);
        });
        for (const [callId, row] of rows) {
          if (!seen.has(callId)) {
            row.element.remove();
            rows.delete(callId);
          }
        }
      }
      moreCalls.hidden = !more;
      callsNote.textContent = more
        ? `Showing ${calls.length} of ${total} calls.`
        : `${plural(calls.length, 'call', 'calls')}.`;
    }

    moreCalls.addEventListener('click', () => {
      callLimit += CALL_PAGE;
      refresh().catch(() => {});
    });

    async function refresh() {
      const { status, data } = await api(`/${id}`);
      if (status === 404) {
        content.hidden = true;
        missing.hidden = false;
        stamp.touch();
        return;
      }
      if (status !== 200) throw new Error(`HTTP ${status}`);
      const { calls, more } = await loadCalls();
      missing.hidden = true;
      content.hidden = false;
      showCampaign(data);
      showCalls(calls, more, data.calls.total, data.status);
      stamp.touch();
    }

    const headers = [
      'Contact',
      'Status',
      'Attempts',
      'Next attempt',
      'Why it waits',
    ];
    return {
      heading,
      refresh,
      setError: error.set,
      element: h(
        'section',
        { class: 'panel' },
        h('p', {}, h('a', { href: '#/' }, '← All campaigns')),
        h('div', { class: 'title-row' }, heading, badge),
        error.element,
        stamp.element,
        missing,
        fill(content, [
          h(
            'div',
            { class: 'actions', role: 'group', 'aria-label': 'Actions' },
            buttons.pause,
            buttons.resume,
            buttons.cancel,
          ),
          details,
          h('h2', {}, 'Progress'),
          bar.elements,
          h(
            'figure',
            { class: 'chart' },
            h('figcaption', {}, h('h2', {}, 'Outcomes')),
            noOutcome,
            outcomes,
          ),
          h('h2', { id: 'calls-title' }, 'Calls'),
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              {
                class: 'calls',
                role: 'table',
                'aria-labelledby': 'calls-title',
              },
              h(
                'thead',
                { role: 'rowgroup' },
                h(
                  'tr',
                  { role: 'row' },
                  headers.map((text) =>
                    h('th', { scope: 'col', role: 'columnheader' }, text),
                  ),
                ),
              ),
              callsBody,
            ),
          ),
          callsNote,
          moreCalls,
        ]),
      ),
    };
  }

  /**
   * Puts the element at that position, moving it only when it is elsewhere:
   * a moved element loses the keyboard focus.
   */
  function placeAt(parent, element, index) {
    const there = parent.children[index] || null;
    if (there !== element) parent.insertBefore(element, there);
  }

  function fill(parent, children) {
    parent.append(...children.flat());
    return parent;
  }

  function callRow() {
    const cells = {
      contact: h('td', { 'data-label': 'Contact', role: 'cell' }),
      status: h('td', { 'data-label': 'Status', role: 'cell' }),
      attempts: h('td', { 'data-label': 'Attempts', role: 'cell' }),
      due: h('td', { 'data-label': 'Next attempt', role: 'cell' }),
      waiting: h('td', {
        'data-label': 'Why it waits',
        class: 'waiting',
        role: 'cell',
      }),
    };
    const attemptList = h('ol', { class: 'attempts' });
    const attemptSummary = h('summary');
    const attemptDetails = h('details', {}, attemptSummary, attemptList);
    return {
      element: h('tr', { role: 'row' }, Object.values(cells)),
      update(call, campaignStatus) {
        const name = [call.first_name, call.last_name]
          .filter(Boolean)
          .join(' ');
        cells.contact.replaceChildren(
          name ? h('span', { class: 'name' }, name) : '',
          name ? ' ' : '',
          h('span', { class: 'phone' }, call.phone),
        );
        cells.status.replaceChildren(statusBadge(call.status));
        if (call.attempts.length) {
          attemptSummary.textContent = plural(
            call.attempts.length,
            'attempt',
            'attempts',
          );
          attemptList.replaceChildren(
            ...call.attempts.map((attempt) =>
              h(
                'li',
                {},
                time(attempt.started_at),
                ': ',
                attempt.outcome
                  ? label(attempt.outcome)
                  : attempt.ended_at
                    ? 'ended'
                    : 'in progress',
              ),
            ),
          );
          cells.attempts.replaceChildren(attemptDetails);
        } else {
          cells.attempts.replaceChildren('none yet');
        }
        cells.due.replaceChildren(call.due_at ? time(call.due_at) : '—');
        cells.waiting.replaceChildren(...waitingText(call, campaignStatus));
      },
    };
  }

  /** Why a call that is not final has no attempt running, in words. */
  function waitingText(call, campaignStatus) {
    const waiting = call.waiting;
    if (!waiting) {
      if (FINAL.has(call.status)) return ['—'];
      if (call.status === 'dialing') return ['On a call now'];
      if (campaignStatus === 'paused') return [h('strong', {}, 'Paused')];
      if (campaignStatus === 'scheduled') {
        return [
          h('strong', {}, 'Scheduled'),
          ': the campaign has not launched',
        ];
      }
      if (call.status === 'retry_pending') {
        return [
          h('strong', {}, 'Recall delay'),
          call.last_outcome ? ` after ${label(call.last_outcome)}` : '',
        ];
      }
      return ['Due: next in line'];
    }
    const reason =
      WAIT_REASONS[waiting.reason] || label(String(waiting.reason || 'waits'));
    const parts = [h('strong', {}, reason)];
    if (waiting.message) parts.push(`: ${waiting.message}`);
    if (waiting.until && call.status !== 'blocked') {
      parts.push(' (until ', time(waiting.until), ')');
    }
    return parts;
  }

  route();
})();
