"""How the page looks and the one script it needs (the chat's sanitiser strips inline ones).

`CSS` and `HEAD` go to Gradio's `launch` / `mount_gradio_app` (ui/app.py, rag/serve/app.py).
"""

CSS = """
.rag-answer { line-height: 1.55; }
.rag-answer p { margin: 0 0 .4em 0; }
.rag-answer .passage { white-space: pre-wrap; font-size: .92em; padding: .5em .7em;
  border-left: 3px solid #c7a500; background: rgba(127,127,127,.07); border-radius: 4px; }
mark.cite-hl { background: #ffe066; color: #1a1a1a; padding: 0 1px; border-radius: 2px; }
a.cite-ref { text-decoration: none; font-weight: 600; font-size: .85em; margin-left: 1px;
  color: var(--color-accent, #4f46e5); cursor: pointer; }
a.cite-ref:hover { text-decoration: underline; }
details.citation { margin: .35em 0; border: 1px solid rgba(127,127,127,.25); border-radius: 6px;
  padding: .25em .6em; }
details.citation[open] { border-color: #c7a500; }
details.citation.flash { box-shadow: 0 0 0 3px rgba(255,200,0,.55); }
details.citation summary { cursor: pointer; }
.cite-num { font-weight: 700; margin-right: .2em; }
.cite-file, .cite-score, .cite-offsets, .rag-answer .meta, .sources-query {
  color: var(--body-text-color-subdued, #777); font-size: .85em; }
.cite-file { margin-left: .4em; }
.cite-score { float: right; }
.cite-offsets { margin-top: .2em; }
.citations { margin-top: .5em; }
.sent.flagged { text-decoration: underline wavy #d9480f; text-underline-offset: 3px; }
.sent.reattached { border-bottom: 1px dotted #999; }
.sent.not_stated { font-style: italic; color: var(--body-text-color-subdued, #666); }
.badge.unverified { font-size: .75em; font-weight: 700; color: #fff; background: #d9480f;
  border-radius: 3px; padding: 0 .35em; margin-left: .2em; }
.dropped-list { margin-top: .4em; font-size: .9em; color: #a33; }
.sent.dropped { text-decoration: line-through; }
.missing { color: #777; font-style: italic; }
.rag-answer.abstained { border-left: 4px solid #e8590c; padding-left: .7em;
  background: rgba(232,89,12,.06); border-radius: 4px; }
.abstain-head { font-weight: 700; color: #c2410c; margin-bottom: .2em; }
.abstain-text { font-style: italic; }
.chip { display: inline-block; border: 1px solid #e8590c; color: #c2410c; border-radius: 10px;
  padding: 0 .5em; margin: 0 .2em; font-size: .85em; }
.rag-answer.rag-error { border-left: 4px solid #c92a2a; padding-left: .7em;
  background: rgba(201,42,42,.06); border-radius: 4px; }
.error-head { font-weight: 700; color: #c92a2a; }
.rag-answer.streaming .meta { font-style: italic; }
.cursor { animation: blink 1s steps(2, start) infinite; }
@keyframes blink { to { visibility: hidden; } }
.index-status { font-size: .95em; padding: .3em 0; }
.index-status.empty { color: #c2410c; }
.sources-table { width: 100%; font-size: .85em; border-collapse: collapse; }
.sources-table td, .sources-table th { padding: .25em .35em; vertical-align: top;
  border-bottom: 1px solid rgba(127,127,127,.2); text-align: left; }
.sources-table tr.cited { background: rgba(255,224,102,.18); }
.src-file { color: #777; font-size: .9em; margin-left: .3em; }
.upload-report ul { list-style: none; padding-left: 0; margin: 0; }
.upload-report li { padding: .15em 0; }
.file-status { font-weight: 700; margin-left: .4em; }
.file.error .file-status, .file.error .file-detail { color: #c92a2a; }
.file.added .file-status, .file.updated .file-status { color: #2b8a3e; }
.file.indexing .file-status { color: #1971c2; }
.file-detail { color: #777; margin-left: .3em; }
.cite-body { display: flex; flex-wrap: wrap; gap: .6em; align-items: flex-start; }
.cite-body .passage { flex: 1 1 240px; }
figure.page-view { flex: 0 1 340px; margin: 0; cursor: zoom-in; }
figure.page-view.zoomed { flex-basis: 100%; cursor: zoom-out; }
/* !important: the chat caps message images (width 400px, max-height 30vw) with more specific
   selectors; a page must keep its shape and fill its figure, enlarged or not. */
.rag-answer figure.page-view img.page-img { width: 100% !important; height: auto !important;
  max-width: none !important; max-height: none !important; margin: 0 !important;
  border: 1px solid rgba(127,127,127,.35); border-radius: 3px; background: #fff; }
figure.page-view figcaption, .page-note { color: var(--body-text-color-subdued, #777);
  font-size: .8em; }
.notice.error { color: #c92a2a; }
.notice.info { color: #2b8a3e; }
"""

# The chat's sanitiser removes inline handlers and data-* attributes, so one delegated
# listener opens the citation whose number is in the clicked marker's class (cite-n-3), and
# enlarges a cited page image to the full width of the chat when it is clicked.
HEAD = r"""<script>
document.addEventListener('click', function (ev) {
  var fig = ev.target && ev.target.closest ? ev.target.closest('figure.page-view') : null;
  if (fig) { fig.classList.toggle('zoomed'); return; }
  var a = ev.target && ev.target.closest ? ev.target.closest('a.cite-ref') : null;
  if (!a) return;
  ev.preventDefault();
  ev.stopPropagation();
  var m = /(?:^|\s)(cite-n-\d+)(?:\s|$)/.exec(a.className);
  var box = a.closest('.rag-answer');
  var d = box && m ? box.querySelector('details.citation.' + m[1]) : null;
  if (!d) return;
  d.open = true;
  d.classList.add('flash');
  setTimeout(function () { d.classList.remove('flash'); }, 1200);
  d.scrollIntoView({block: 'nearest'});
}, true);
</script>"""
