"""What a migrated database looks like, the same shape read from either backend.

Used by the schema-parity test (SQLite and PostgreSQL must agree after migrating) and by
``copy-db`` (tables in dependency order, column types, identity columns).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    family: str  # integer | text | real | blob | the declared type when unknown
    notnull: bool
    default: str | None  # normalised literal, e.g. "0" or "'{}'"
    identity: bool = False  # generated id: SQLite INTEGER PRIMARY KEY, PostgreSQL IDENTITY


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    references: tuple[str, ...]
    on_delete: str  # NO ACTION | CASCADE | SET NULL | SET DEFAULT | RESTRICT


@dataclass(frozen=True)
class Index:
    table: str
    columns: tuple[str, ...]
    unique: bool
    partial: bool


@dataclass
class Table:
    name: str
    columns: list[Column]
    primary_key: tuple[str, ...] = ()
    uniques: set[tuple[str, ...]] = field(default_factory=set)
    foreign_keys: set[ForeignKey] = field(default_factory=set)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass
class Schema:
    tables: dict[str, Table]
    indexes: dict[str, Index]  # created with CREATE INDEX, not those behind a constraint

    def dependency_order(self) -> list[str]:
        """Tables with every table they reference before them (self-references ignored)."""
        ordered: list[str] = []
        placed: set[str] = set()

        def visit(name: str, path: tuple[str, ...]) -> None:
            if name in placed or name in path or name not in self.tables:
                return
            for fk in sorted(self.tables[name].foreign_keys, key=lambda f: f.table):
                visit(fk.table, (*path, name))
            placed.add(name)
            ordered.append(name)

        for name in sorted(self.tables):
            visit(name, ())
        return ordered


def type_family(declared: str) -> str:
    """SQLite's affinity rules, applied to both backends' type names."""
    upper = declared.upper()
    if "INT" in upper:
        return "integer"
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return "text"
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return "real"
    if "BLOB" in upper or "BYTEA" in upper:
        return "blob"
    return declared.lower()


def normalise_default(value: str | None) -> str | None:
    """``'{}'::text`` and ``'{}'`` alike; ``(0)`` and ``0`` alike."""
    if value is None:
        return None
    text = value.strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if "::" in text and not text.endswith("'"):
        text = text[: text.rindex("::")]
    return text


FK_ACTIONS = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}
