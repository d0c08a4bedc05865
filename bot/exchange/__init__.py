"""`hotro export` and `hotro import`: the list a commune sends to the district, and the district's answers.

Export writes the applications of an area as the list communes send up (XLSX, or CSV with a BOM),
with ID numbers and bank accounts decrypted because officials verify them against the papers. The
last six columns are left for the district (or province) to fill in: result, decision number and
date, amount and date paid, reason. Import reads such a file back and applies every row through
the lifecycle, all or nothing: one bad row and nothing changes, so an official never has to work
out which half of a file went in.

The spreadsheet's words are Vietnamese constants rather than gettext messages: the file is an
administrative form exchanged between offices, and the import recognises its headers and result
words whatever language the bot speaks. Messages to the official running the command go
through gettext.

Import rules, decided here:
- A row whose result cell is empty is skipped (not decided yet); a row that fills decision or
  payment columns without a result is an error, since the official probably forgot the result.
- "Đã chi trả" for an application not approved yet is accepted when the row also gives the
  decision number and date: it is applied as approved, then paid (two status events, two notices).
- A row that repeats what is already recorded (approved with the same decision number, already
  rejected, already paid) is counted as unchanged, so a district may send back a cumulative list.
- For "Phê duyệt", an amount in "Số tiền chi trả" is taken as the approved amount (the default is
  the estimated amount); a payment may not exceed the approved amount.


Modules, by job: columns (the form), rows (one application as cells), writing (XLSX/CSV bytes),
export (query, write, audit), reading (tables of a returned file), importing (parse, plan, apply),
cli (`hotro export`, `hotro import`). The package exports the service's names.
"""

from __future__ import annotations

from bot.exchange.cli import add_commands, problem_lines, run_export, run_import, summary
from bot.exchange.columns import COLUMNS, DATA_SHEET_ROW, HEADER_ROW, ExchangeError, sheet_columns, sheet_keys
from bot.exchange.export import export_applications
from bot.exchange.importing import ImportReport, import_file

__all__ = [
    "COLUMNS",
    "DATA_SHEET_ROW",
    "HEADER_ROW",
    "ExchangeError",
    "ImportReport",
    "add_commands",
    "export_applications",
    "import_file",
    "problem_lines",
    "run_export",
    "run_import",
    "sheet_columns",
    "sheet_keys",
    "summary",
]
