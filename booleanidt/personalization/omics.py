"""Reading omics tables: expression and protein matrices, RPPA antibodies, AnnData.

Every reader returns a numeric :class:`pandas.DataFrame` with **samples as rows and
genes (or antibodies, or nodes) as columns**, NaN where a value is missing, the
layout PROFILE works in.  Files may be CSV, TSV (``.tsv``, ``.txt``, ``.tab``, also
gzipped) or Parquet, written genes x samples or samples x genes: the orientation is
detected (the axis whose labels overlap the ``genes`` given; else, with a warning,
the longer axis is taken as genes) and can be stated with ``orientation=``; the one used is in ``table.attrs["orientation"]``.
Gene labels lose Ensembl versions (``ENSG00000141510.16`` -> ``ENSG00000141510``).

Bad input raises :class:`~booleanidt.errors.InputError` naming the file, the element
and the problem: duplicated sample ids, a value that is not a number (with its row and
column), an empty table.

RPPA data (``GENES|antibody`` rows, as cBioPortal's ``data_rppa.txt``) come with an
antibody table (antibody, genes, phospho flag: 1 activating, -1 inhibitory, 0 total
protein; ``?`` or empty = unknown, read as phospho of unknown sign) such as PROFILE's
``RPPA_corres_TCGA.xlsx``.  See :class:`ProteinTable`.

Examples
--------
>>> import io
>>> text = "gene\\tS1\\tS2\\tS3\\nTP53\\t1.5\\t2\\tNA\\nMDM2\\t0\\t3\\t4\\n"
>>> table = loads_table(text, "<rna>", sep="\\t", genes=["TP53"])
>>> table.attrs["orientation"], table.loc["S2"].to_dict()
('genes x samples', {'TP53': 2.0, 'MDM2': 3.0})
"""
from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

import numpy as np
import pandas as pd
from pandas.io.common import get_handle

from ..errors import InputError
from .mapping import canonical_gene

__all__ = ["read_table", "loads_table", "frame_to_table", "read_antibody_table", "read_rppa",
           "ProteinTable", "read_anndata", "ORIENTATIONS"]

ORIENTATIONS = ("auto", "genes x samples", "samples x genes")
_NA_TOKENS = {"", "na", "nan", "null", "none", "n/a", "#n/a", "-"}
_SEPARATORS = {".csv": ",", ".tsv": "\t", ".txt": "\t", ".tab": "\t"}
#: antibody name suffix of MD Anderson's validation status (``-R-V``, ``-M-C`` ...)
_ANTIBODY_SUFFIX = re.compile(r"-[A-Z]-[A-Z]$")


def _suffixes(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".bz2", ".xz", ".zip"):
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def _shown(label) -> str:
    """A label for a one-line message: as written, or quoted when it holds a newline or other control."""
    text = str(label)
    return text if text.isprintable() else repr(text)


def _row_place(frame: pd.DataFrame, position: int, row_label: str = "row") -> str:
    """Where row ``position`` is: its line in the file when known, and its label."""
    lines = frame.attrs.get("lines")
    label = f"{row_label} {_shown(frame.index[position])}"
    return f"line {lines[position]} ({label})" if lines else label


def _check_sample_ids(frame: pd.DataFrame, oriented: str, source) -> None:
    """An empty sample id is an error naming its line (samples in rows) or column (samples in columns)."""
    if oriented == "genes x samples":
        for position, label in enumerate(frame.columns, start=2):
            if label == "" or label.startswith("Unnamed:"):
                raise InputError(source, f"line 1, column {position}", "empty sample id")
        return
    for position, label in enumerate(frame.index):
        if label == "":
            raise InputError(source, _row_place(frame, position).replace(" (row )", ""), "empty sample id")


def _to_numbers(frame: pd.DataFrame, source, row_label: str = "row") -> pd.DataFrame:
    """Parse every cell as a float (NA tokens -> NaN); the first bad cell raises InputError."""
    if all(pd.api.types.is_numeric_dtype(t) for t in frame.dtypes):
        return frame.astype(float)
    text = frame.astype(str).apply(lambda column: column.str.strip())
    missing = text.apply(lambda column: column.str.lower().isin(_NA_TOKENS)) | frame.isna()
    numbers = text.mask(missing).apply(pd.to_numeric, errors="coerce")
    bad = numbers.isna() & ~missing
    if bad.to_numpy().any():
        row, column = np.argwhere(bad.to_numpy())[0]
        raise InputError(source, f"{_row_place(frame, row, row_label)}, column {_shown(frame.columns[column])}",
                         f"{text.iat[row, column]!r} is not a number")
    return numbers.astype(float)


def _orientation(frame: pd.DataFrame, genes: Optional[Iterable], orientation: str, source) -> str:
    if orientation not in ORIENTATIONS:
        raise ValueError(f"orientation must be one of {ORIENTATIONS}, not {orientation!r}")
    if orientation != "auto":
        return orientation
    if genes is not None:
        known = set(map(str, genes))
        in_rows = sum(str(label) in known for label in frame.index)
        in_columns = sum(str(label) in known for label in frame.columns)
        if in_rows != in_columns:
            return "genes x samples" if in_rows > in_columns else "samples x genes"
    guess = "genes x samples" if frame.shape[0] >= frame.shape[1] else "samples x genes"
    warnings.warn(f"{source}: no known gene tells the layout; read as {guess} (the longer axis as genes); "
                  "pass orientation= to confirm", stacklevel=3)
    return guess


def frame_to_table(frame: pd.DataFrame, source, orientation: str = "auto", genes=None,
                   sample_id_length: Optional[int] = None) -> pd.DataFrame:
    """A labelled frame (first column already the index) as a numeric samples x genes table.

    Parameters
    ----------
    frame : labels in the index and the columns, values as read
    source : file name used in error messages
    orientation : ``"auto"``, ``"genes x samples"`` or ``"samples x genes"``
    genes : known gene (or node) identifiers that help detecting the orientation
    sample_id_length : cut sample ids to this many characters (15 for TCGA sample barcodes)

    Examples
    --------
    >>> f = pd.DataFrame({"TP53": ["1", "x"]}, index=["s1", "s2"])
    >>> frame_to_table(f, "t.csv", "samples x genes")
    Traceback (most recent call last):
    ...
    booleanidt.errors.InputError: t.csv: row s2, column TP53: 'x' is not a number
    """
    blank = frame.isna() | (frame.astype(str).apply(lambda column: column.str.strip()) == "")
    frame = frame.loc[:, [not (str(c).startswith("Unnamed:") and blank[c].all()) for c in frame.columns]]
    keep = [not (pd.isna(label) and blank.iloc[row].all()) for row, label in enumerate(frame.index)]
    lines = [line for line, kept in zip(frame.attrs.get("lines") or [], keep) if kept]
    frame = frame.loc[keep]
    if frame.empty:
        raise InputError(source, None, "no data rows or columns")
    frame.index = frame.index.map(lambda label: "" if pd.isna(label) else str(label).strip())
    frame.columns = frame.columns.map(lambda label: str(label).strip())
    frame.attrs["lines"] = lines
    table = _to_numbers(frame, source)
    table.attrs["lines"] = lines
    oriented = _orientation(table, genes, orientation, source)
    _check_sample_ids(table, oriented, source)
    if oriented == "genes x samples":
        table = table.T
    if sample_id_length:
        table.index = table.index.str[:sample_id_length]
    table.columns = table.columns.map(canonical_gene)
    for axis, what in ((table.index, "sample"), (table.columns, "gene")):
        duplicated = axis[axis.duplicated()]
        if len(duplicated):
            raise InputError(source, f"{what} {_shown(duplicated[0])}", f"appears more than once ({oriented})")
    table.index.name, table.columns.name = "sample", None
    table.attrs["orientation"] = oriented
    table.attrs["source"] = str(source)
    return table


def _records(text: str, sep: str) -> list:
    """(line number, field count) of each record; quoted fields may span lines."""
    if '"' not in text:
        return [(number, line.count(sep) + 1 if line else 0)
                for number, line in enumerate(text.splitlines(), start=1)]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    records, start = [], 1
    for fields in reader:
        records.append((start, len(fields) if fields != [] else 0))
        start = reader.line_num + 1
    return records


def _check_complete(records: list, header: list, source) -> list:
    """Line numbers of the data records; a record with fewer fields than the header is an error.

    Empty cells at the end of the header (a trailing tab, as in TCGA's RPPA files) need no value.
    """
    width = len(header)
    while width > 1 and (pd.isna(header[width - 1]) or str(header[width - 1]).strip() == ""):
        width -= 1
    for number, count in records[1:]:
        if 0 < count < width:
            raise InputError(source, f"line {number}", f"{count} of the header's {width} values "
                             "(a truncated row?)")
    return [number for number, count in records[1:] if count]


def _read_delimited(handle, source, sep: Optional[str]) -> pd.DataFrame:
    """A delimited table with its first column as labels.

    The header is read as a row so that repeated sample ids are seen (pandas would rename
    the second ``S1`` to ``S1.1``); an empty header cell becomes ``Unnamed: i``. A row with
    fewer values than the header is an error naming its line; the line of each data row is
    kept in ``attrs["lines"]`` for later messages.
    """
    try:
        if isinstance(handle, Path):
            with get_handle(handle, "r", compression="infer", encoding="utf-8") as opened:
                handle = io.StringIO(opened.handle.read())
        if sep is None:
            sep = csv.Sniffer().sniff(handle.readline()).delimiter
            handle.seek(0)
        raw = pd.read_csv(handle, sep=sep, header=None, dtype=str, keep_default_na=False, skip_blank_lines=True)
        lines = _check_complete(_records(handle.getvalue(), sep), list(raw.iloc[0]), source)
    except InputError:
        raise
    except Exception as exc:  # parsers raise many types; report them as bad input
        raise InputError(source, None, f"cannot read the table: {str(exc).strip().splitlines()[-1]}") from None
    header = [f"Unnamed: {i}" if pd.isna(c) or str(c) == "" else str(c) for i, c in enumerate(raw.iloc[0])]
    frame = raw.iloc[1:, 1:]
    frame.columns, frame.index = header[1:], list(raw.iloc[1:, 0])
    frame.attrs["lines"] = lines
    return frame


def loads_table(text: str, source: str = "<string>", sep: str = ",", **options) -> pd.DataFrame:
    """Parse a delimited text table (see :func:`frame_to_table` for the options)."""
    return frame_to_table(_read_delimited(io.StringIO(text), source, sep), source, **options)


def _read_frame(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(path, None, "no such file")
    kind = _suffixes(path)
    if kind not in (".parquet", ".pq", ".xlsx", ".xls"):
        return _read_delimited(path, path, _SEPARATORS.get(kind))
    try:
        if kind in (".xlsx", ".xls"):
            return pd.read_excel(path, index_col=0, dtype=str)
        frame = pd.read_parquet(path)
    except Exception as exc:  # parsers raise many types; report them as bad input
        raise InputError(path, None, f"cannot read the table: {str(exc).strip().splitlines()[-1]}") from None
    first = frame.columns[0]
    if not pd.api.types.is_numeric_dtype(frame[first]):
        frame = frame.set_index(first)
    return frame


def read_table(path, orientation: str = "auto", genes=None, sample_id_length: Optional[int] = None) -> pd.DataFrame:
    """Read an expression, protein, CNA or processed-profile table as samples x genes.

    CSV, TSV/TXT (tab) or Parquet, optionally gzipped; first column (or, for Parquet, the
    first non-numeric column or the index) holds the row labels.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "cna.tsv")
    >>> _ = open(path, "w").write("Hugo_Symbol\\tS1\\tS2\\nTP53\\t-2\\t0\\nEGFR\\t2\\t1\\nMYC\\t0\\t0\\n")
    >>> read_table(path, genes=["TP53", "MYC"]).to_dict("index")
    {'S1': {'TP53': -2.0, 'EGFR': 2.0, 'MYC': 0.0}, 'S2': {'TP53': 0.0, 'EGFR': 1.0, 'MYC': 0.0}}
    """
    path = Path(path)
    return frame_to_table(_read_frame(path), path, orientation, genes, sample_id_length)


# --- RPPA ---------------------------------------------------------------------------------

def _split_genes(text) -> tuple:
    if pd.isna(text):
        return ()
    return tuple(g for g in re.split(r"[,\s]+", str(text).strip()) if g)


def _phospho_flag(value, source, antibody) -> float:
    text = str(value).strip()
    if text in ("", "?", "nan", "NA"):
        return np.nan
    try:
        flag = float(text)
    except ValueError:
        raise InputError(source, f"antibody {antibody}", f"phospho flag {text!r} is not -1, 0, 1 or ?") from None
    if flag not in (-1.0, 0.0, 1.0):
        raise InputError(source, f"antibody {antibody}", f"phospho flag {text!r} is not -1, 0, 1 or ?")
    return flag


def antibody_key(name) -> str:
    """The name an antibody is joined on: validation suffix (``-R-V``) dropped, lower case.

    >>> antibody_key("4E-BP1_pS65-R-V"), antibody_key("CHK1_pS296")
    ('4e-bp1_ps65', 'chk1_ps296')
    """
    return _ANTIBODY_SUFFIX.sub("", str(name).strip()).lower()


def read_antibody_table(path) -> pd.DataFrame:
    """Read an antibody -> genes table (xlsx, CSV or TSV): columns antibody, genes, phospho.

    Headers are matched without case or surrounding spaces (``Ab``/``antibody``,
    ``Genes``/``gene``, ``Phospho``); genes are comma- or space-separated; the phospho
    flag is 1 (activating), -1 (inhibitory), 0 (total protein) or ``?``/empty (NaN:
    phospho of unknown sign).  Returns a frame indexed by :func:`antibody_key` with
    columns ``antibody`` (name as written), ``genes`` (tuple) and ``phospho``.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, "no such file")
    try:
        if _suffixes(path) in (".xlsx", ".xls"):
            frame = pd.read_excel(path, dtype=str)
        else:
            frame = pd.read_csv(path, sep=_SEPARATORS.get(_suffixes(path)), dtype=str, keep_default_na=False)
    except Exception as exc:
        raise InputError(path, None, f"cannot read the antibody table: {str(exc).strip().splitlines()[-1]}") from None
    columns = {str(c).strip().lower(): c for c in frame.columns}
    wanted = {"antibody": ("ab", "antibody"), "genes": ("genes", "gene", "hugo_symbol"), "phospho": ("phospho",)}
    found, missing = {}, []
    for role, names in wanted.items():
        match = next((columns[n] for n in names if n in columns), None)
        if match is None:
            missing.append("/".join(names))
        else:
            found[role] = match
    if missing:
        raise InputError(path, "header", f"missing column(s) {', '.join(missing)} "
                         f"(found: {', '.join(map(str, frame.columns))})")
    rows = []
    for row in frame.itertuples(index=False):
        values = dict(zip(frame.columns, row))
        antibody = str(values[found["antibody"]]).strip()
        if not antibody or antibody == "nan":
            continue
        rows.append({"key": antibody_key(antibody), "antibody": antibody,
                     "genes": _split_genes(values[found["genes"]]),
                     "phospho": _phospho_flag(values[found["phospho"]], path, antibody)})
    table = pd.DataFrame(rows).set_index("key")
    duplicated = table.index[table.index.duplicated()]
    if len(duplicated):
        raise InputError(path, f"antibody {table.loc[duplicated[0], 'antibody'].iloc[0]}", "listed more than once")
    return table


@dataclass
class ProteinTable:
    """RPPA measurements per antibody, with each antibody's genes and phospho flag.

    Attributes
    ----------
    values : samples x antibodies (antibody names as in the data file)
    antibodies : antibody name -> ``genes`` (tuple), ``phospho`` (1, -1, 0 or NaN = unknown sign),
        ``in_table`` (found in the antibody table)
    """

    values: pd.DataFrame
    antibodies: pd.DataFrame

    def gene_level(self, table: Optional[pd.DataFrame] = None, which: str = "all",
                   flip_inhibitory: bool = False) -> pd.DataFrame:
        """Average antibodies per gene (PROFILE's rule): samples x genes.

        Parameters
        ----------
        table : values to average, same columns as :attr:`values` (default: the raw values;
            pass normalised values to average after normalisation, as current PROFILE does)
        which : ``"all"`` antibodies, ``"total"`` protein only (flag 0) or ``"phospho"`` only
        flip_inhibitory : replace x by 1 - x for antibodies flagged -1 (values must be
            normalised to [0, 1]); current PROFILE does, the 2018 reference profiles do not

        An antibody measuring several genes counts for each of them.
        """
        if which not in ("all", "total", "phospho"):
            raise ValueError(f"which must be 'all', 'total' or 'phospho', not {which!r}")
        table = self.values if table is None else table
        flags = self.antibodies["phospho"]
        keep = {"all": flags.index == flags.index, "total": flags == 0, "phospho": flags != 0}[which]
        selected = [a for a in self.antibodies.index[np.asarray(keep)] if a in table.columns]
        if flip_inhibitory:
            inhibitory = [a for a in selected if flags[a] == -1]
            table = table.copy()
            table[inhibitory] = 1.0 - table[inhibitory]
        by_gene = {}
        for antibody in selected:
            for gene in self.antibodies.at[antibody, "genes"]:
                by_gene.setdefault(gene, []).append(antibody)
        return pd.DataFrame({gene: table[antibodies].mean(axis=1, skipna=True)
                             for gene, antibodies in by_gene.items()}, index=table.index, dtype=float)


def read_rppa(path, antibodies=None, genes_from: str = "data", sample_id_length: Optional[int] = None,
              orientation: str = "genes x samples") -> ProteinTable:
    """Read RPPA data (rows ``GENE1 GENE2|antibody``, as cBioPortal's data_rppa.txt).

    Parameters
    ----------
    path : the RPPA matrix (TSV/CSV/Parquet)
    antibodies : path of an antibody table (:func:`read_antibody_table`), or its frame, or None
    genes_from : ``"data"``: each antibody's genes are those written in its row label
        (``GENES|antibody``), as PROFILE's 2018 scripts did; ``"table"``: those of the
        antibody table (current PROFILE); antibodies missing from the chosen source keep
        the other one's genes
    sample_id_length : cut sample ids (15 for TCGA sample barcodes, ``TCGA-XX-XXXX-01``)
    orientation : how the file is laid out (antibodies are rows in cBioPortal files)

    Notes
    -----
    Quirks of data_rppa.txt handled here: a label joining two antibodies with ``;``
    (``CHEK1|Chk1_pS296;CHEK1|CHK1_pS296``) keeps the first (PROFILE's 2018 script read
    its genes as ``CHEK1``); antibody names are joined to the table without case and
    without the ``-R-V``-style validation suffix; the trailing tab of the header line.
    """
    path = Path(path)
    values = frame_to_table(_read_frame(path), path, orientation, None, sample_id_length)
    if genes_from not in ("data", "table"):
        raise ValueError(f"genes_from must be 'data' or 'table', not {genes_from!r}")
    if isinstance(antibodies, (str, Path)):
        antibodies = read_antibody_table(antibodies)
    records, names = [], []
    for label in values.columns:
        first = label.split(";")[0]
        gene_part, _, antibody = first.rpartition("|") if "|" in first else ("", "", first)
        key = antibody_key(antibody)
        listed = antibodies is not None and key in antibodies.index
        data_genes = _split_genes(gene_part)
        table_genes = antibodies.at[key, "genes"] if listed else ()
        if genes_from == "table":
            genes = table_genes or data_genes
        else:
            genes = data_genes or table_genes
        phospho = antibodies.at[key, "phospho"] if listed else (0.0 if "_p" not in antibody else np.nan)
        if antibody in names:
            raise InputError(path, f"antibody {antibody}", "appears more than once")
        names.append(antibody)
        records.append({"antibody": antibody, "genes": genes, "phospho": phospho, "in_table": listed})
    values.columns = names
    table = pd.DataFrame(records).set_index("antibody")
    return ProteinTable(values, table)


def read_anndata(path, layer: Optional[str] = None, gene_column: Optional[str] = None) -> pd.DataFrame:
    """Read an AnnData ``.h5ad`` file (needs the ``anndata`` extra) as samples x genes.

    ``layer`` picks ``adata.layers[layer]`` instead of ``adata.X``; ``gene_column`` a
    column of ``adata.var`` holding gene symbols instead of ``var_names``.
    """
    path = Path(path)
    try:
        import anndata
    except ImportError:
        raise InputError(path, None, "reading .h5ad needs the anndata package "
                         "(pip install 'booleanidt[anndata]')") from None
    if not path.is_file():
        raise InputError(path, None, "no such file")
    data = anndata.read_h5ad(path)
    matrix = data.layers[layer] if layer else data.X
    matrix = matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)
    genes = data.var[gene_column] if gene_column else data.var_names
    frame = pd.DataFrame(matrix, index=list(data.obs_names), columns=list(map(str, genes)))
    return frame_to_table(frame, path, "samples x genes")
