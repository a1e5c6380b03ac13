"""Self-contained interactive HTML tables: click a header to sort, type to filter (inline JS,
no CDN, works offline). A cell may carry a numeric sort key, a second line (e.g. the 95% CI)
and a hover title."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness.report.render import cell

SCRIPT = """
function ehKey(row, i) {
  const c = row.children[i]; if (!c) return [2, ''];
  const v = c.getAttribute('data-v');
  if (v !== null && v !== '' && !isNaN(parseFloat(v))) return [0, parseFloat(v)];
  const t = c.textContent.trim().toLowerCase(), f = parseFloat(t);
  if (!isNaN(f) && /^[-+]?[0-9.]/.test(t)) return [0, f];
  return [t ? 1 : 2, t];
}
function ehSort(th) {
  const table = th.closest('table'), body = table.tBodies[0];
  const i = Array.prototype.indexOf.call(th.parentNode.children, th);
  const dir = th.getAttribute('data-dir') === 'asc' ? 'desc' : 'asc';
  for (const h of th.parentNode.children) h.removeAttribute('data-dir');
  th.setAttribute('data-dir', dir);
  const sign = dir === 'asc' ? 1 : -1;
  const rows = Array.from(body.rows).sort((a, b) => {
    const x = ehKey(a, i), y = ehKey(b, i);
    if (x[0] !== y[0]) return x[0] - y[0];
    return sign * (x[0] === 0 ? x[1] - y[1] : String(x[1]).localeCompare(String(y[1])));
  });
  rows.forEach(r => body.appendChild(r));
}
function ehFilter(input) {
  const body = document.getElementById(input.getAttribute('data-table')).tBodies[0];
  const terms = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let shown = 0;
  for (const r of body.rows) {
    const keep = terms.every(t => r.textContent.toLowerCase().includes(t));
    r.style.display = keep ? '' : 'none'; shown += keep;
  }
  const count = document.getElementById(input.getAttribute('data-table') + '-count');
  if (count) count.textContent = shown + ' of ' + body.rows.length + ' rows';
}
"""
STYLE = (".eh-wrap{overflow-x:auto;max-width:100%}"
         "table.eh th{cursor:pointer;user-select:none;position:sticky;top:0}"
         "table.eh th[data-dir=asc]::after{content:' \\25B2'}"
         "table.eh th[data-dir=desc]::after{content:' \\25BC'}"
         "table.eh td small{display:block;color:#666;font-size:10px}"
         "input.eh-filter{margin:.3em 0;padding:2px 6px;width:24em}")


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, a numeric sort key, a second line and a hover title."""

    text: str
    sort: float | None = None
    second: str = ""
    title: str = ""


def _td(value: Any) -> str:
    if not isinstance(value, Cell):
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) \
            else None
        value = Cell(cell(value), number)
    attrs = ""
    if value.sort is not None:
        attrs += f" data-v='{value.sort!r}'"
    if value.title:
        attrs += f" title='{html.escape(value.title, quote=True)}'"
    second = f"<small>{html.escape(value.second)}</small>" if value.second else ""
    return f"<td{attrs}>{html.escape(value.text)}{second}</td>"


def table_html(rows: Sequence[dict[str, Any]], headers: dict[str, str], table_id: str,
               interactive: bool = True) -> str:
    """Return an HTML table of `rows` under `headers` (values: text, numbers or Cells); with
    `interactive`, a filter box above it and sortable headers."""
    click = " onclick='ehSort(this)'" if interactive else ""
    head = "".join(f"<th{click}>{html.escape(h)}</th>" for h in headers.values())
    body = "".join("<tr>" + "".join(_td(r.get(k)) for k in headers) + "</tr>" for r in rows)
    table = (f"<div class='eh-wrap'><table id='{table_id}' class='eh'><thead><tr>{head}</tr>"
             f"</thead><tbody>{body}</tbody></table></div>")
    if not interactive:
        return table
    return (f"<input class='eh-filter' data-table='{table_id}' oninput='ehFilter(this)' "
            f"placeholder='filter rows: words that must all appear' aria-label='filter'> "
            f"<span id='{table_id}-count' class='legend'>{len(rows)} rows</span>{table}")
