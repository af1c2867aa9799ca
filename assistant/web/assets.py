"""The web UI's style sheet and page script.

Colours meet WCAG AA (4.5:1 for text) on the light theme. The script only moves between
elements the server rendered: it shows an answer's sources when its `[n]` marker, its
"Sources" link or the answer itself is clicked, shows a marker's preview card on hover,
focus or a first tap, copies an answer with its sources, and says when a question sent
while an answer is written is queued (the server asks it next). When files
are chosen for upload it replaces the last upload status, naming any file over the size
limit (Gradio refuses those before the server sees them), and saying that files chosen
while another upload is indexed are queued.
"""

CSS = """
h1 { font-size: 1.6rem; margin: 0 0 0.25rem; }
.cq-sr { position: absolute; width: 1px; height: 1px; overflow: hidden;
         clip: rect(0 0 0 0); white-space: nowrap; }
.cq-log { max-height: 460px; min-height: 220px; overflow-y: auto; padding: 0.5rem;
          border: 1px solid var(--border-color-primary); border-radius: 8px;
          line-height: 1.5; }
.cq-empty { color: #334155; text-align: center; margin: 4rem 1rem; }
.cq-user { margin: 0.5rem 0 0.5rem auto; max-width: 85%; width: fit-content;
           background: #eff6ff; border-radius: 8px; padding: 0.5rem 0.75rem;
           overflow-wrap: anywhere; }
.cq-bot { margin: 0.5rem 0; max-width: 95%; border: 1px solid var(--border-color-primary);
          border-radius: 8px; padding: 0.5rem 0.75rem; cursor: pointer; }
.cq-bot { -webkit-tap-highlight-color: transparent; }
.cq-bot[aria-busy="true"] { cursor: default; color: #334155; }
.cq-abstain { border-left: 4px solid #b45309; }
.cq-error { border-left: 4px solid #b91c1c; color: #991b1b; cursor: default; }
.cq-info { border-left: 4px solid #1d4ed8; cursor: default; }
.cq-note { margin: 0.4rem 0 0; color: #334155; font-size: 0.9rem; }
.cq-tools { display: flex; gap: 1rem; align-items: center; margin-top: 0.35rem;
            font-size: 0.9rem; }
.cq-ref, .cq-jump, .cq-back { color: #1d4ed8; font-weight: 700; text-decoration: underline; }
.cq-log a.cq-ref { padding: 0 1px; }
.cq-copy { color: #1e293b; background: none; border: 1px solid #64748b; border-radius: 4px;
           padding: 0 0.4rem; font-size: 0.85rem; font-weight: 400; cursor: pointer; }
.cq-panel { font-size: 0.95rem; line-height: 1.45; }
.cq-head { font-weight: 700; font-size: 1.1rem; margin: 0 0 0.5rem; }
.cq-hint, .cq-for { color: #334155; margin: 0.25rem 0 0.75rem; }
.cq-for { font-style: italic; }
.cq-card { border: 1px solid var(--border-color-primary); border-radius: 8px;
           padding: 0.6rem 0.8rem; margin-bottom: 0.6rem; background: #f8fafc;
           scroll-margin: 1rem; }
.cq-card:focus { outline: 2px solid #1d4ed8; outline-offset: 2px; }
.cq-related { background: #ffffff; border-style: dashed; }
.cq-flash { animation: cq-flash 1.6s ease-out; }
@keyframes cq-flash { from { box-shadow: 0 0 0 4px #f59e0b; background: #fef3c7; } }
.cq-n { font-weight: 700; color: #1d4ed8; margin-right: 0.2rem; }
.cq-title { font-weight: 700; }
.cq-meta, .cq-claim, .cq-listed, .cq-upload { font-size: 0.85rem; color: #475569;
                                              margin: 0.1rem 0 0.35rem; }
.cq-claim { color: #1e293b; }
.cq-badge { display: inline-block; font-weight: 700; color: #7c2d12; background: #ffedd5;
            border: 1px solid #c2410c; border-radius: 4px; padding: 0 0.35rem; }
.cq-up { color: #9a3412; font-size: 0.8em; }
.cq-said { font-size: 0.85rem; color: #475569; }
.cq-instruction { background: #fee2e2; color: #7f1d1d; }
.cq-flag { font-size: 0.8rem; font-weight: 700; }
.cq-passage { white-space: pre-line; margin: 0; }
.cq-passage mark { background: #fde68a; color: #111; padding: 0 2px; border-radius: 3px; }
.cq-passage sup { font-weight: 700; color: #1d4ed8; }
.cq-banner { display: inline-block; font-weight: 700; color: #92400e; background: #fef3c7;
             border: 1px solid #d97706; border-radius: 6px; padding: 0.2rem 0.6rem; }
.cq-disagree { border-left: 4px solid #b45309; padding-left: 0.6rem; margin-bottom: 0.6rem; }
.cq-disagree ul { margin: 0.2rem 0 0; }
.cq-back { display: inline-block; font-size: 0.85rem; margin-top: 0.25rem; }
.cq-inline-error { color: #b91c1c; font-weight: 700; margin: 0.25rem 0; }
.cq-status { list-style: none; padding: 0; margin: 0.25rem 0; }
.cq-status li { margin: 0.15rem 0; }
.cq-ok { color: #166534; }
.cq-bad { color: #b91c1c; font-weight: 700; }
.cq-readonly { border-left: 4px solid #b45309; padding: 0.4rem 0.75rem; background: #fffbeb; }
.cq-chip { display: inline-block; border-radius: 999px; padding: 0 0.5rem; font-size: 0.85rem;
           background: #f1f5f9; color: #1e293b; border: 1px solid #94a3b8; margin-right: 0.3rem; }
.cq-chip-official { background: #dbeafe; color: #1e3a8a; }
.cq-chip-company { background: #ede9fe; color: #4c1d95; }
.cq-chip-reported { background: #e0f2fe; color: #075985; }
.cq-chip-estimate { background: #fef3c7; color: #78350f; }
.cq-chip-forecast { background: #fce7f3; color: #831843; }
.cq-tl { display: flex; gap: 1rem; align-items: flex-start; }
.cq-events { flex: 3; list-style: none; padding: 0; margin: 0; max-height: 70vh;
             overflow-y: auto; }
.cq-tl-passages { flex: 2; max-height: 70vh; overflow-y: auto; font-size: 0.95rem; }
.cq-event { border-left: 3px solid #1d4ed8; padding: 0.25rem 0.6rem; margin-bottom: 0.6rem; }
.cq-event time { font-weight: 700; margin-right: 0.4rem; }
.cq-event-text { margin: 0.15rem 0; }
.cq-tl-ref { color: #1d4ed8; text-decoration: underline; font-size: 0.9rem; }
.cq-tl-passages mark { background: #fde68a; color: #111; scroll-margin: 2rem; }
.cq-tl-passages mark:target, .cq-tl-passages mark:focus { outline: 3px solid #b45309; }
@media (max-width: 720px) { .cq-tl { flex-direction: column; } }
footer, footer a, footer button, footer span { color: #334155 !important; opacity: 1 !important; }
:is(a, button, input, textarea, select, summary, [tabindex]):focus-visible {
  outline: 3px solid #1d4ed8 !important; outline-offset: 2px !important; }
textarea:focus-visible, input:not([type=checkbox], [type=radio]):focus-visible {
  outline-offset: 0 !important; box-shadow: 0 0 0 5px #bfdbfe !important; }
a.cq-ref, .cq-jump, .cq-back, .cq-copy, .cq-more { display: inline-block; min-width: 24px;
  min-height: 24px; line-height: 22px; text-align: center; box-sizing: border-box; }
.cq-clamp { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 4;
            overflow: hidden; }
.cq-for .cq-clamp { -webkit-line-clamp: 2; }
.cq-open > .cq-clamp { display: block; }
.cq-user, .cq-for { overflow-wrap: anywhere; }
.cq-preview-card { position: fixed; z-index: 1000; width: min(24rem, calc(100vw - 16px));
  box-sizing: border-box;
  background: #ffffff; color: #1e293b; border: 1px solid #64748b; border-radius: 8px;
  box-shadow: 0 6px 20px rgba(15, 23, 42, 0.25); padding: 0.5rem 0.7rem; font-size: 0.9rem;
  line-height: 1.4; }
.cq-preview-card .cq-passage { margin: 0.3rem 0; }
.cq-preview-card mark { background: #fde68a; color: #111; }
.cq-go { color: #1d4ed8; font-weight: 700; text-decoration: underline; }
.cq-queued { color: #1e3a8a; background: #eff6ff; border-left: 4px solid #1d4ed8;
             padding: 0.25rem 0.6rem; margin: 0.25rem 0; }
.cq-docs { max-height: 32rem; overflow: auto; border: 1px solid var(--border-color-primary);
           border-radius: 8px; }
.cq-docs table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
.cq-docs :is(table, thead, tbody, tr, th, td) { border: 0; }
.cq-docs th, .cq-docs td { text-align: left; vertical-align: top; padding: 0.35rem 0.6rem;
                           border-bottom: 1px solid #e2e8f0; overflow-wrap: anywhere; }
.cq-docs th { position: sticky; top: 0; background: #f1f5f9; white-space: nowrap; }
@media (max-width: 720px) {
  .cq-docs thead { position: absolute; width: 1px; height: 1px; overflow: hidden;
                   clip: rect(0 0 0 0); }
  .cq-docs tr { display: block; padding: 0.4rem 0; border-bottom: 1px solid #cbd5e1; }
  .cq-docs td { display: flex; gap: 0.6rem; border-bottom: 0; padding: 0.1rem 0.6rem; }
  .cq-docs td::before { content: attr(data-label); flex: 0 0 4.8rem; font-weight: 700;
                        color: #334155; }
}
#upload-status { min-height: 5.5rem; }  /* room for the progress bar and its words */
.cq-more { color: #1d4ed8; background: none; border: 0; padding: 0; font-size: 0.85rem;
           font-weight: 700; text-decoration: underline; cursor: pointer; }
"""

PAGE_JS = """
() => {
  const maxBytes = __MAX_BYTES__;
  const queued = (names) => {  // shown beside the status, which shows the running upload
    const shown = document.querySelector('#upload-status');
    const last = () => (shown.querySelector('[data-n]') || {}).dataset;
    const before = last() && last().n;
    const note = document.getElementById('upload-queued') || document.createElement('p');
    note.id = 'upload-queued';
    note.className = 'cq-queued';
    note.setAttribute('role', 'status');
    note.textContent = `Queued: ${names.join(', ')}: indexed when the upload in progress `
      + 'is done.';
    shown.after(note);
    const observer = new MutationObserver(() => {
      if ((last() && last().n) !== before) { note.remove(); observer.disconnect(); }
    });
    observer.observe(shown, {childList: true, subtree: true});
  };
  const picked = (files) => {
    const box = document.querySelector('#upload-status [id^="html-"]');
    if (!box || !files || !files.length) return;
    const list = document.createElement('ul');
    list.className = 'cq-status';
    for (const file of files) {
      if (file.size <= maxBytes) continue;
      const item = document.createElement('li');
      item.className = 'cq-bad';
      item.textContent = `✕ ${file.name}: larger than the ${maxBytes / 1048576} MB limit`;
      list.append(item);
    }
    const cancel = document.querySelector('#cancel-upload');
    const names = [...files].filter((f) => f.size <= maxBytes).map((f) => f.name);
    if (cancel && cancel.offsetParent !== null && names.length) queued(names);
    const status = document.createElement('div');
    status.setAttribute('role', 'status');
    if (list.children.length) status.append(list);
    box.replaceChildren(status);
  };
  document.addEventListener('change', (event) => {
    if (event.target.closest('#upload')) picked(event.target.files);
  }, true);
  document.addEventListener('drop', (event) => {
    if (event.target.closest('#upload')) picked(event.dataTransfer.files);
  }, true);
  const show = (id, jump) => {
    const target = id && document.getElementById(id);
    const section = target && target.closest('.cq-answer');
    if (!section) return false;
    for (const other of section.parentElement.querySelectorAll('.cq-answer')) {
      other.hidden = other !== section;
    }
    if (jump) {
      target.scrollIntoView({block: target === section ? 'start' : 'center'});
      target.focus({preventScroll: true});
      target.classList.remove('cq-flash');
      void target.offsetWidth;
      target.classList.add('cq-flash');
    }
    return true;
  };
  const queue = () => {
    const box = document.querySelector('#question textarea');
    const hint = document.querySelector('#ask-hint [id^="html-"]');
    const busy = document.querySelector('#chat .cq-bot[aria-busy="true"]');
    const asked = () => document.querySelectorAll('#chat .cq-user').length;
    if (!box || !hint || !busy || !box.value.trim()) return;
    const before = asked();
    const text = box.value.trim();
    const note = document.createElement('p');
    note.className = 'cq-queued';
    note.setAttribute('role', 'status');
    note.textContent = `Queued: “${text.length > 80 ? text.slice(0, 79) + '…' : text}” is `
      + 'asked when this answer is done.';
    hint.replaceChildren(note);
    const observer = new MutationObserver(() => {
      if (asked() > before) { note.remove(); observer.disconnect(); }
    });
    observer.observe(document.querySelector('#chat'), {childList: true, subtree: true});
  };
  document.addEventListener('click', (event) => {
    if (event.target.closest('#ask')) queue();
  }, true);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && event.target.closest('#question')) queue();
  }, true);
  const card = document.createElement('div');
  card.id = 'cq-preview';
  card.className = 'cq-preview-card';
  card.setAttribute('role', 'tooltip');
  card.hidden = true;
  document.body.append(card);
  let owner = null;  // the marker whose preview is shown
  let touched = null;  // the preview's marker when a touch began, so a second tap follows it
  const preview = (ref) => {
    const source = document.getElementById(ref.getAttribute('aria-describedby') || '');
    if (!source) return;
    card.innerHTML = source.innerHTML;
    card.hidden = false;
    owner = ref;
    const at = ref.getBoundingClientRect();
    const left = Math.max(8, Math.min(at.left, innerWidth - card.offsetWidth - 8));
    const below = at.bottom + 6 + card.offsetHeight <= innerHeight;
    const top = below ? at.bottom + 6 : Math.max(8, at.top - card.offsetHeight - 6);
    card.style.left = `${left}px`;
    card.style.top = `${top}px`;
  };
  const unpreview = () => { card.hidden = true; owner = null; };
  const marker = (event) => event.target.closest && event.target.closest('#chat a.cq-ref');
  document.addEventListener('mouseover', (event) => {
    const ref = marker(event);
    if (ref) preview(ref);
    else if (owner && !card.contains(event.target)) unpreview();
  });
  document.addEventListener('focusin', (event) => {
    const ref = marker(event);
    if (ref) preview(ref);
    else if (!card.contains(event.target)) unpreview();
  });
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape') unpreview(); });
  document.addEventListener('pointerdown', (event) => {
    touched = event.pointerType === 'touch' ? owner || 'none' : null;
  }, true);
  document.addEventListener('click', (event) => {
    const ref = marker(event);
    if (ref && touched && touched !== ref) {
      event.preventDefault();
      event.stopPropagation();
      preview(ref);
      return;
    }
    if (!card.contains(event.target)) unpreview();
  }, true);
  document.addEventListener('click', (event) => {
    const more = event.target.closest('.cq-more');
    if (more) {
      const open = more.parentElement.classList.toggle('cq-open');
      more.setAttribute('aria-expanded', String(open));
      more.textContent = open ? 'Show less' : 'Show all';
      return;
    }
    const copy = event.target.closest('.cq-copy');
    if (copy) {
      navigator.clipboard.writeText(copy.dataset.copy).then(() => { copy.textContent = 'Copied'; });
      return;
    }
    const link = event.target.closest('a.cq-ref, a.cq-jump, a.cq-go');
    if (link) {
      if (show(link.hash.slice(1), true)) event.preventDefault();
      return;
    }
    const answer = event.target.closest('.cq-bot');
    const jump = answer && answer.querySelector('a.cq-jump');
    if (jump) show(jump.hash.slice(1), false);
  });
}
"""


def page_js(max_bytes: int) -> str:
    """The page script for uploads of at most `max_bytes` each."""
    return PAGE_JS.replace("__MAX_BYTES__", str(max_bytes))


# Runs in the chat log component: keep the newest message in view.
LOG_JS = """
const scroll = () => {
  const log = element.querySelector('.cq-log');
  if (log) log.scrollTop = log.scrollHeight;
};
watch('value', scroll);
"""
