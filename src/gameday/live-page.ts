/**
 * The live page: one self-contained document (no external scripts or styles, so it works on an
 * isolated network) fed by the server-sent events of `/events`. It approves and notes through the
 * same calls as the CLI, with the token from its own address.
 */
export const LIVE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>firedrill live</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1f24; max-width: 72rem; }
h1 { font-size: 1.3rem; margin: 0 0 .2rem; } h2 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.meta { color: #57606a; } .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 2rem; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid #d0d7de; }
.ok { color: #1a7f37; font-weight: 600; } .bad { color: #cf222e; font-weight: 600; }
.gate { border: 2px solid #bf8700; background: #fff8c5; padding: .6rem; margin: .4rem 0; border-radius: 6px; }
.gate button { font-size: 1rem; padding: .3rem 1rem; }
#timeline { max-height: 22rem; overflow-y: auto; font-family: ui-monospace, monospace; font-size: 12px; }
form { display: flex; gap: .4rem; flex-wrap: wrap; } input[name=message] { flex: 1; min-width: 16rem; }
</style></head><body>
<h1 id="title">firedrill live</h1><div class="meta">phase <b id="phase">-</b> · t = <span id="t">0</span> s · you are <input id="me" size="14" placeholder="your name"></div>
<h2>Waiting gates</h2><div id="gates"><span class="meta">none</span></div>
<div id="review" hidden><h2>Review <span id="review-state" class="meta"></span></h2>
<form id="lesson"><input name="message" placeholder="a lesson learned"><button>Add lesson</button></form>
<ul id="lessons"></ul>
<form id="signoff"><input name="role" placeholder="your role" size="20"><label><input type="checkbox" name="close"> close the review</label><button>Sign off</button></form>
<ul id="signoffs"></ul></div>
<div class="grid"><div><h2>Probes</h2><table id="probes"></table></div><div><h2>Milestones</h2><table id="milestones"></table></div></div>
<h2>Note</h2><form id="note"><select name="noteKind"><option>observation</option><option>deviation</option><option>action</option></select>
<input name="message" placeholder="what you saw"><input name="owner" placeholder="owner (action)" size="12"><input name="due" placeholder="due (action)" size="10"><button>Add note</button></form>
<h2>Timeline</h2><div id="timeline"></div>
<script>
const token = new URLSearchParams(location.search).get('token');
const me = document.getElementById('me');
me.value = localStorage.getItem('firedrill-name') || '';
me.onchange = () => localStorage.setItem('firedrill-name', me.value);
const el = (id) => document.getElementById(id);
const secs = (ms) => (ms / 1000).toFixed(2);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
async function call(path, body) {
  const r = await fetch(path + '?token=' + encodeURIComponent(token), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) alert((await r.json()).error);
}
function who() { if (!me.value.trim()) { me.focus(); alert('Enter your name first'); return null; } return me.value.trim(); }
window.approve = (gate) => { const by = who(); if (by) call('/approve', { gate, by, via: 'page' }); };
el('lesson').onsubmit = (e) => {
  e.preventDefault(); const author = who(); if (!author) return;
  call('/lesson', { author, message: new FormData(e.target).get('message') }).then(() => e.target.reset());
};
el('signoff').onsubmit = (e) => {
  e.preventDefault(); const name = who(); if (!name) return;
  const f = new FormData(e.target); call('/signoff', { name, role: f.get('role'), close: f.get('close') === 'on' }).then(() => e.target.reset());
};
el('note').onsubmit = (e) => {
  e.preventDefault(); const author = who(); if (!author) return;
  const f = new FormData(e.target); const body = { author, message: f.get('message'), noteKind: f.get('noteKind') };
  if (f.get('owner')) body.owner = f.get('owner'); if (f.get('due')) body.due = f.get('due');
  call('/note', body).then(() => e.target.reset());
};
function describe(e) {
  switch (e.kind) {
    case 'phase': return e.phase + ' ' + e.state + (e.outcome && e.outcome !== 'ok' ? ' (' + e.outcome + ')' : '');
    case 'fault': return 'fault ' + e.fault + ': ' + e.action;
    case 'signal': return 'signal ' + e.signal + ': ' + (e.previous || '(first)') + ' -> ' + e.state;
    case 'gate': return 'gate ' + e.gate + ': ' + e.state + (e.by ? ' by ' + e.by + ' (' + e.via + ')' : '');
    case 'note': return (e.noteKind || 'note') + ' by ' + (e.author || '?') + ': ' + e.message + (e.owner ? ' [owner ' + e.owner + (e.due ? ', due ' + e.due : '') + ']' : '');
    case 'guardrail': return 'guardrail ' + e.guardrail + ': ' + e.reason;
    case 'canary': return 'canary ' + e.canary + ' ' + e.action;
    default: return e.kind;
  }
}
let shownGates = '[]';
const source = new EventSource('/events?token=' + encodeURIComponent(token));
source.addEventListener('timeline', (m) => {
  const e = JSON.parse(m.data); const line = document.createElement('div');
  line.textContent = secs(e.t).padStart(8) + '  ' + describe(e); el('timeline').prepend(line);
});
source.addEventListener('snapshot', (m) => {
  const s = JSON.parse(m.data);
  el('title').textContent = 'firedrill live — ' + s.scenario + ' (' + s.drillId + ')'; el('phase').textContent = s.review ? 'review' : (s.phase || '-'); el('t').textContent = secs(s.t);
  el('probes').innerHTML = '<tr><th>probe</th><th>health</th><th>latency</th><th>served by</th></tr>' + Object.entries(s.probes).map(([n, p]) =>
    '<tr><td>' + esc(n) + '</td><td class="' + (p.ok ? 'ok">ok' : 'bad">FAILING') + '</td><td>' + p.latencyMs.toFixed(0) + ' ms</td><td>' + esc(p.region || (p.error || '')) + '</td></tr>').join('');
  el('milestones').innerHTML = '<tr><th>milestone</th><th>at</th><th>bounds</th></tr>' + Object.entries(s.milestones).map(([n, m]) =>
    '<tr><td>T_' + n + '</td><td>' + (m ? secs(m.t) + ' s' : '<span class="meta">not yet</span>') + '</td><td>' + (m ? '[' + secs(m.lower) + ', ' + secs(m.upper) + ']' : '') + '</td></tr>').join('');
  if (s.review) {
    el('review').hidden = false;
    el('review-state').textContent = '— the drill is over (' + s.review.outcome + '); ' + (s.review.open ? 'open for lessons, corrective actions (notes of kind action) and sign-off' : 'closed');
    el('lessons').innerHTML = s.review.lessons.map((l) => '<li>' + esc(l.message) + ' <span class="meta">(' + esc(l.author) + ')</span></li>').join('');
    el('signoffs').innerHTML = s.review.signOff.map((o) => '<li>signed off by ' + esc(o.name) + ', ' + esc(o.role) + ' <span class="meta">' + esc(o.wall) + '</span></li>').join('');
  }
  const gates = JSON.stringify(s.pending.map((g) => g.gate));
  if (gates === shownGates) return; // re-rendering would clear the runbook's ticks
  shownGates = gates;
  el('gates').innerHTML = s.pending.length ? s.pending.map((g) => '<div class="gate"><b>' + esc(g.gate) + '</b> waiting since ' + secs(g.waitingSince) + ' s (times out after ' + secs(g.timeoutMs) + ' s)' +
    (g.runbook.length ? '<ul>' + g.runbook.map((r) => '<li><label><input type="checkbox"> ' + esc(r) + '</label></li>').join('') + '</ul>' : '') +
    '<button data-gate="' + esc(g.gate) + '" onclick="approve(this.dataset.gate)">Approve ' + esc(g.gate) + '</button></div>').join('') : '<span class="meta">none</span>';
});
</script></body></html>
`;
