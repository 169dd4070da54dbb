"""The tiny benchmark's harness: a linear classifier's accuracy and mean squared error on a labelled data set.

    python tiny_harness.py MODEL_FOLDER DATASET_CSV METRICS_JSON OUTPUTS_FOLDER

The model folder holds `model.json` ({"weights": [w1, w2], "bias": b}); each line of the data set is `x1,x2,label`
with a label of 0 or 1. It predicts 1 when w·x + b > 0, writes {"accuracy": …, "mse": …} to METRICS_JSON and each
prediction to OUTPUTS_FOLDER/predictions.csv. Standard library only: it runs in the clean environment `eval run` gives
it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(model: Path, dataset: Path, metrics: Path, outputs: Path) -> None:
    parameters = json.loads((model / "model.json").read_text())
    weights, bias = parameters["weights"], parameters["bias"]
    rows = [line.split(",") for line in dataset.read_text().splitlines() if line.strip()]
    predictions = []
    for *features, label in rows:
        score = sum(w * float(x) for w, x in zip(weights, features, strict=True)) + bias
        predictions.append((1 if score > 0 else 0, int(label)))
    accuracy = sum(p == y for p, y in predictions) / len(predictions)
    mse = sum((p - y) ** 2 for p, y in predictions) / len(predictions)
    (outputs / "predictions.csv").write_text("".join(f"{p},{y}\n" for p, y in predictions))
    metrics.write_text(json.dumps({"accuracy": round(accuracy, 6), "mse": round(mse, 6)}))


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:5]))
