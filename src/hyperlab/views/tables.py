"""Rich tables for the command line whose numbers and single words never break across lines.

Rich folds a cell to fit a narrow terminal, so ``1.6749`` could print as ``1.674`` over ``9``: a
different number. Here a column whose cells are numbers or single words never wraps (at most it
is cut with an ellipsis when the terminal is too narrow for the table), is no wider than its widest
cell or header word, and its header wraps at spaces only. A column of phrases wraps at spaces.
When even the compact layout is too wide, the columns a caller marked ``optional`` are left out,
least needed first, and a caption names them, rather than let rich squeeze a column to nothing.
Every table the CLI prints with data rows is built here (``train``'s comparison, ``results``, the
catalogs, ``advise``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text


FOLD_MIN_WIDTH = 12  # a folded column of names keeps this many characters a line


class DataTable:
    """A table that picks its layout when printed: boxed when it fits the console, else compact (no
    vertical rules, no empty columns) so numbers keep their width; only when even that is too wide
    does rich cut cells, with an ellipsis; ``optional`` columns are first left out, in that order,
    ``left_out`` (a text with ``{columns}``) saying which; ``column_notes`` are caption lines that
    explain one column each, shown only while it is."""

    def __init__(self, headers: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None,
                 justify: Sequence[str] | None, row_styles: Sequence[str | None] | None, caption: str | None,
                 fold: Sequence[int] = (), optional: Sequence[int] = (), left_out: str = "",
                 column_notes: dict[int, str] | None = None) -> None:
        self.headers, self.rows = list(headers), [[str(cell) for cell in row] for row in rows]
        self.fold = set(fold)
        self.optional, self.left_out = list(optional), left_out
        self.column_notes = dict(column_notes or {})
        self.title, self.caption = title, caption
        self.justify = list(justify or ["left"] * len(self.headers))
        self.row_styles = list(row_styles or [None] * len(self.rows))

    def table(self, compact: bool = False, wrap_headers: bool = True, skip: Sequence[int] = ()) -> Table:
        """The rich Table, boxed or compact; ``wrap_headers``: a column is as wide as its widest cell or
        header word (its header wrapping at spaces), else as its whole header; ``skip``: columns left
        out (named in the caption)."""
        style: dict[str, Any] = {}
        if compact:
            style = {"box": box.SIMPLE_HEAD, "show_edge": False, "pad_edge": False, "collapse_padding": True}
        caption = [self.caption] if self.caption else []
        caption += [note for i, note in sorted(self.column_notes.items()) if i not in skip]  # goes with its column
        if skip:
            caption.append(self.left_out.format(columns=", ".join(self.headers[i] for i in skip)))
        table = Table(title=self.title, caption="\n".join(caption) or None, caption_justify="left", **style)
        columns = [[row[i] for row in self.rows] for i in range(len(self.headers))]
        # compact: an empty column (e.g. "diverged at" when none diverged) is worth no width
        kept = [i for i, cells in enumerate(columns)
                if i not in skip and not (compact and self.rows and not any(map(str.strip, cells)))]
        for i in kept:
            header, cells = self.headers[i], columns[i]
            if i in self.fold:  # names (not numbers) that may break anywhere when the table is too wide
                table.add_column(header, justify=self.justify[i], overflow="fold",  # type: ignore[arg-type]
                                 min_width=min(max(map(cell_len, cells), default=1), FOLD_MIN_WIDTH))
                continue
            if any(" " in cell.strip() for cell in cells):  # phrases wrap at spaces; a word too long is cut, not split
                table.add_column(header, justify=self.justify[i], overflow="ellipsis")  # type: ignore[arg-type]
                continue
            widest = max([cell_len(cell) for cell in cells] + [cell_len(word) for word in header.split()] + [1]
                         + ([] if wrap_headers else [cell_len(header)]))
            table.add_column(Text(header, no_wrap=False, overflow="ellipsis"),  # headers wrap at spaces only
                             justify=self.justify[i], no_wrap=True,  # type: ignore[arg-type]
                             overflow="ellipsis", max_width=widest)
        for row, row_style in zip(self.rows, self.row_styles):
            table.add_row(*(row[i] for i in kept), style=row_style)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        unbounded = options.update_width(1 << 16)
        for table in self._layouts():  # built one at a time: the first that fits ends the search
            if _width(console, unbounded, table) <= options.max_width:
                break
        yield table  # the first layout that fits, else the last (rich cuts cells with an ellipsis)

    def _layouts(self) -> Iterator[Table]:
        """Boxed with whole headers, boxed, compact, then compact without more and more optional columns."""
        yield self.table(wrap_headers=False)
        yield self.table()
        yield self.table(compact=True)
        for n in range(1, len(self.optional) + 1):
            yield self.table(compact=True, skip=self.optional[:n])


def _width(console: Console, options: ConsoleOptions, table: Table) -> int:
    """The table's natural width, its caption aside (the caption wraps to any width)."""
    caption, table.caption = table.caption, None
    try:
        return Measurement.get(console, options, table).maximum
    finally:
        table.caption = caption


def data_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, title: str | None = None,
               justify: Sequence[str] | None = None, row_styles: Sequence[str | None] | None = None,
               caption: str | None = None, fold: Sequence[int] = (), optional: Sequence[int] = (),
               left_out: str = "", column_notes: dict[int, str] | None = None) -> DataTable:
    """A table of ``rows`` (texts) under ``headers``; ``justify`` per column (default left),
    ``row_styles`` per row (e.g. the best one bold), ``caption`` a line under the table, ``fold``
    the columns of names that may break across lines rather than cut the others short,
    ``optional`` the columns left out, in that order, of a table too wide for the terminal, with
    ``left_out`` (a text with ``{columns}``) as the caption that names them, ``column_notes`` caption
    lines each explaining one column (left out with it).

        >>> data_table(["run", "validation loss"], [["sgd-b32", "1.6749"]]).table().columns[1].no_wrap
        True
    """
    return DataTable(headers, rows, title=title, justify=justify, row_styles=row_styles, caption=caption, fold=fold,
                     optional=optional, left_out=left_out, column_notes=column_notes)
