"""The data sets a page may pick: the built-in ones by name, and CSV files uploaded to the lab.

An upload is written under a generated name in the lab's own temporary directory, within a size
limit, and parsed by the same CSV loader as ``hyperlab train --dataset file.csv``; the page then
refers to it by its id. No name or path that a client sent ever reaches the filesystem."""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hyperlab.data import BUILTIN, Data, load_data
from hyperlab.data.notes import file_notes
from hyperlab.errors import ConfigError, DataError, HyperlabError, check_choice, did_you_mean
from hyperlab.i18n import LANGS, t
from hyperlab.lab import texts  # noqa: F401 - registers the notes looked up here

UPLOAD_PREFIX = "upload-"
UPLOAD_FEATURES = ("standardise", "raw")  # how an upload's features are read; ids need a model of one's own


@dataclass(frozen=True)
class Upload:
    """A CSV file the lab received: its id, the name to show, where the lab keeps it, its label column."""

    id: str
    name: str
    path: Path
    label: str | None
    task: str
    features: str  # 'standardise' or 'raw' (the lab's models read floats, never ids)
    n_train: int
    n_features: int
    notes: dict[str, list[str]]  # per language, what loading did to the features (one-hot, not standardised)


def display_name(filename: str | None) -> str:
    """A client's file name reduced to safe characters, for display only."""
    base = re.split(r"[\\/]", filename or "")[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .")[:60]
    return cleaned or "upload.csv"


@lru_cache(maxsize=32)
def _builtin(name: str, seed: int) -> Data:
    return load_data(name, seed=seed)


def is_two_d(data: Data) -> bool:
    """A 2-D classification set: its decision boundary can be drawn."""
    return data.task == "classification" and data.n_features == 2 and data.input_shape in ((), (2,))


class DataSets:
    """Built-in sets and this lab's uploads (the oldest upload is dropped past ``max_uploads``)."""

    def __init__(self, upload_dir: Path, max_uploads: int = 20) -> None:
        self.upload_dir = upload_dir
        self.max_uploads = max_uploads
        self.uploads: OrderedDict[str, Upload] = OrderedDict()
        self._cache: dict[tuple[str, int], Data] = {}
        self._lock = threading.Lock()

    def keys(self) -> list[str]:
        return [*BUILTIN, *self.uploads]

    def describe(self) -> list[dict]:
        """What the page's data set menu lists."""
        rows = []
        for name, (_, task, description) in BUILTIN.items():
            rows.append({"id": name, "name": name, "task": task, "description": description,
                         "two_d": name in ("moons", "spirals"), "image": name == "digits"})
        for up in self.uploads.values():
            rows.append({"id": up.id, "name": up.name, "task": up.task, "description": "",
                         "two_d": up.n_features == 2 and up.task == "classification", "image": False})
        return rows

    def get(self, key: str, seed: int = 0) -> Data:
        """The data set ``key`` (a built-in name or an upload id) split by ``seed``."""
        key = str(key)
        if key in BUILTIN:
            return _builtin(key, seed)
        up = self.uploads.get(key)
        if up is None:
            choices = list(BUILTIN) + list(self.uploads)
            raise ConfigError("dataset", key, f"must be one of {', '.join(choices)}" + did_you_mean(key, choices))
        with self._lock:
            cached = self._cache.get((key, seed))
        if cached is None:
            cached = self._load(up.path, up.name, up.label, seed, up.task, up.features)
            with self._lock:
                self._cache[(key, seed)] = cached
        return cached

    def new_path(self) -> tuple[str, Path]:
        """A fresh upload id and the file the lab will write it to."""
        upload_id = UPLOAD_PREFIX + secrets.token_hex(8)
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        return upload_id, self.upload_dir / f"{upload_id}.csv"

    def add(self, upload_id: str, path: Path, filename: str | None, label: str | None,
            task: str | None = None, features: str = "standardise") -> Upload:
        """Parse a received file with the CSV loader (``task``: as given, or read from the labels when
        empty; ``features``: standardised or as given); keep it if it loads, delete it if not."""
        name = display_name(filename)
        label = label.strip() if label and label.strip() else None
        try:
            check_choice("features", features, UPLOAD_FEATURES)
            data = self._load(path, name, label, 0, task.strip() if task and task.strip() else None, features)
        except HyperlabError:
            path.unlink(missing_ok=True)
            raise
        notes = {lang: file_notes(data, lang) + ([t("lab.features.raw_note", lang)] if features == "raw" else [])
                 for lang in LANGS}
        up = Upload(upload_id, name, path, label, data.task, features, data.n_train, data.n_features, notes)
        with self._lock:
            self.uploads[upload_id] = up
            self._cache[(upload_id, 0)] = data
            while len(self.uploads) > self.max_uploads:
                old_id, old = self.uploads.popitem(last=False)
                old.path.unlink(missing_ok=True)
                for cache_key in [k for k in self._cache if k[0] == old_id]:
                    del self._cache[cache_key]
        return up

    @staticmethod
    def _load(path: Path, name: str, label: str | None, seed: int, task: str | None, features: str) -> Data:
        """The CSV loader's own checks; its messages name the upload, not the lab's file."""
        try:
            data = load_data(path, label=label, seed=seed, task=task, features=features)  # type: ignore[arg-type]
        except ConfigError as exc:
            if exc.field == "dataset":  # the lab's own file is gone: never show its path
                raise ConfigError("dataset", name, "the uploaded file is no longer there; upload it again") from None
            raise ConfigError(exc.field, exc.value, exc.allowed.replace(path.name, name)) from None
        except DataError as exc:
            raise DataError(str(exc).replace(str(path), name)) from None
        data.name = name
        return data
