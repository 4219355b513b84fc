"""Chat spelling: the abbreviations and spellings learners type in Slack, mapped to the words the
content uses ("k8s" -> "kubernetes", "pd" -> "pandas", "prod" -> "production", "w&b" -> "wandb").

Only unambiguous expansions are listed: "cv" (résumé or computer vision), "ds", "ts", "pm" and "dl"
stay as typed. Emoji and punctuation go with the tokenizer; chat filler ("idk", "tbh", "lol") is in
stopwords.FUNCTION_WORDS.
"""
from __future__ import annotations

import re

# Before tokenizing: forms whose punctuation the tokenizer would split.
_PHRASES = [
    (re.compile(r"\bw\s*&\s*b\b|\bweights\s*(?:&|and)\s*biases\b", re.IGNORECASE), " wandb "),
    (re.compile(r"\btf[\s-]?idf\b", re.IGNORECASE), " tfidf "),
    (re.compile(r"\bci\s*/\s*cd\b", re.IGNORECASE), " ci cd "),
    (re.compile(r"\bw/o\b", re.IGNORECASE), " without "),
    (re.compile(r"\bw/(?=\s|\w)", re.IGNORECASE), " with "),
    (re.compile(r"\bb/c\b", re.IGNORECASE), " because "),
    (re.compile(r"\bnode\.js\b", re.IGNORECASE), " nodejs "),
    (re.compile(r"\bstd\.?\s*devs?\b|\bstd?devs?\b", re.IGNORECASE), " standard deviation "),
]

WORDS = {
    "kube": "kubernetes", "k8": "kubernetes", "k8s": "kubernetes",
    "pd": "pandas", "np": "numpy", "tf": "tensorflow", "skl": "sklearn",
    "gh": "github", "repo": "repository", "repos": "repositories",
    "pr": "pull request", "prs": "pull requests",
    "prod": "production", "xgb": "xgboost", "lgbm": "lightgbm", "lgb": "lightgbm",
    "hparams": "hyperparameters", "hyperparams": "hyperparameters", "hparam": "hyperparameter",
    "hyperparam": "hyperparameter", "lr": "learning rate",
    "df": "dataframe", "dfs": "dataframes",
    "pics": "images", "pic": "image", "imgs": "images", "img": "image", "photos": "images",
    "infra": "infrastructure", "perf": "performance", "config": "configuration", "configs": "configurations",
    "mgr": "manager", "pm": "product manager", "pms": "product managers", "yrs": "years", "yr": "year", "algo": "algorithm", "algos": "algorithms",
    "dbs": "databases", "vectordb": "vector database", "vectordbs": "vector databases",
    "js": "javascript", "py": "python", "cpp": "c++",
    "gpt4": "gpt", "gpt4o": "gpt",
    "finetune": "fine tune", "finetuning": "fine tuning", "finetuned": "fine tuned",
    "bday": "birthday",
    "optimisation": "optimization", "optimise": "optimize", "optimising": "optimizing",
    "regularisation": "regularization", "normalisation": "normalization", "visualisation": "visualization",
    "modelling": "modeling", "behaviour": "behavior", "licence": "license",
    "ppl": "people", "smth": "something", "sth": "something", "abt": "about", "bc": "because",
    "cuz": "because", "coz": "because", "pls": "please", "plz": "please", "thx": "thanks", "ty": "thanks",
    "dunno": "do not know", "wanna": "want to", "gotta": "have to", "tryna": "trying to",
    "govt": "government", "msg": "message", "msgs": "messages", "reqs": "requirements",
    "envs": "environments", "vars": "variables", "args": "arguments",
    "fn": "function", "func": "function", "funcs": "functions",
    "devs": "developers", "eng": "engineer", "engs": "engineers",
    "mins": "minutes", "secs": "seconds", "hrs": "hours",
    "vm": "virtual machine", "vms": "virtual machines",
    "acc": "accuracy", "val": "validation", "nn": "neural network", "nns": "neural networks",
    "ctx": "context", "emb": "embedding", "embs": "embeddings", "dims": "dimensions", "params": "parameters",
    "mem": "memory", "stats": "statistics", "impl": "implementation", "auth": "authentication",
}


_TOKEN = re.compile(r"[a-z0-9+#]+")


class ChatExpander:
    """Writes chat spellings out, except where the typed form is part of a name the content uses
    (the pair of words is in `pairs`, e.g. "pr auc", "lr schedule")."""

    def __init__(self, pairs: frozenset[tuple[str, str]] = frozenset()):
        self._pairs = pairs
        self._memo: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        found = self._memo.get(text)
        if found is None:
            if len(self._memo) > 50_000:
                self._memo.clear()
            found = self._memo[text] = self._expand(text)
        return found

    def _expand(self, text: str) -> str:
        text = text.lower()
        for pattern, replacement in _PHRASES:
            text = pattern.sub(replacement, text)
        tokens = list(_TOKEN.finditer(text))
        out, last = [], 0
        for i, m in enumerate(tokens):
            word = m.group(0)
            long = WORDS.get(word)
            if long is None:
                continue
            prev = tokens[i - 1].group(0) if i else ""
            nxt = tokens[i + 1].group(0) if i + 1 < len(tokens) else ""
            if (prev, word) in self._pairs or (word, nxt) in self._pairs or prev.isdigit():
                continue  # part of a content name ("pr auc"), or a unit after a number ("3 pm")
            out.append(text[last:m.start()])
            out.append(long)
            last = m.end()
        out.append(text[last:])
        return "".join(out)
