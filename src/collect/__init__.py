"""Collecting the units' returns (issue 26): a pre-filled workbook per lead unit
out, their returns read back into the period's summary table in ``data/raw/``.

* :mod:`src.collect.settings` – the period, office.toml [collect], columns, file names;
* :mod:`src.collect.source` – the tasks a round sends (from last period's table);
* :mod:`src.collect.outbook` – one unit's workbook (openpyxl);
* :mod:`src.collect.send` – ``out``: the workbooks, round.json, the mail-merge list;
* :mod:`src.collect.numbers` – numbers as units type them (１２３, 约50%, 1.2万);
* :mod:`src.collect.returned` – reading one returned workbook;
* :mod:`src.collect.gather` – ``in``: matching, validating, choosing the newest return;
* :mod:`src.collect.summary` – the summary table, the 填报情况 report and the 催报 list.

Command line: ``python -m src.collect out|in`` (``make collect-out``, ``make collect-in``).
"""
