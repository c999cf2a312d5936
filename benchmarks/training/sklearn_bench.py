#!/usr/bin/python3
"""scikit-learn side of the training benchmark (see docs/benchmarks/training.md).

Reads the feature matrix, labels/split and settings that the ML.NET benchmark exported
(features.csv, labels.csv, meta.json in --work), trains one model and writes a JSON result:
time, peak RSS (resource.getrusage), and quality (k-means inertia, or macro-F1 on the test split).
One step per process, so the peak memory belongs to that step.

Run with Debian's interpreter: /usr/bin/python3 (python3-sklearn, python3-pandas).
"""
import argparse
import json
import os
import resource
import sys
import time

try:
    import numpy as np
    import pandas as pd
    import sklearn
    from sklearn.cluster import KMeans
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import accuracy_score, f1_score
except ImportError as e:  # pragma: no cover - environment check
    print(f"error: scikit-learn / pandas not available ({e}). Install them with "
          "'apt-get install -y python3-sklearn python3-pandas' and run this script with /usr/bin/python3.",
          file=sys.stderr)
    sys.exit(3)


def peak_mb():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--step", choices=["kmeans", "hgb"], required=True)
    parser.add_argument("--work", required=True, help="folder with features.csv, labels.csv, meta.json")
    parser.add_argument("--result", required=True, help="JSON file to write")
    args = parser.parse_args()

    with open(os.path.join(args.work, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)

    start = time.perf_counter()
    x = pd.read_csv(os.path.join(args.work, "features.csv"), dtype=np.float32, engine="c")
    load = time.perf_counter() - start
    quality = {}
    notes = {"sklearn": sklearn.__version__, "threads": os.environ.get("OMP_NUM_THREADS", "default")}

    if args.step == "kmeans":
        data = x.to_numpy(dtype=np.float32)
        del x
        start = time.perf_counter()
        cpu = time.process_time()
        model = KMeans(n_clusters=meta["k"], init="k-means++", n_init=1, max_iter=meta["maxIterations"],
                       random_state=meta["seed"])
        model.fit(data)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        quality = {"inertia": float(model.inertia_), "k": meta["k"], "iterations": int(model.n_iter_)}
    else:
        labels = pd.read_csv(os.path.join(args.work, "labels.csv"), dtype=str, keep_default_na=False)
        data = x[meta["classifierFeatures"]].to_numpy(dtype=np.float32)
        del x
        classes = {c: i for i, c in enumerate(meta["classes"])}
        split = labels["split"].to_numpy()
        y = labels["label"].map(lambda c: classes.get(c, -1)).to_numpy()
        train, test = split == "train", split == "test"
        load = time.perf_counter() - start + load
        start = time.perf_counter()
        cpu = time.process_time()
        model = HistGradientBoostingClassifier(max_iter=meta["trees"], max_leaf_nodes=meta["leaves"],
                                               min_samples_leaf=meta["minLeaf"], learning_rate=meta["learningRate"],
                                               early_stopping=False, random_state=meta["seed"])
        model.fit(data[train], y[train])
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        predicted = model.predict(data[test])
        present = np.unique(y[test])
        quality = {
            "macroF1": float(f1_score(y[test], predicted, labels=present, average="macro", zero_division=0)),
            "accuracy": float(accuracy_score(y[test], predicted)),
            "trainRows": int(train.sum()),
            "testRows": int(test.sum()),
        }

    result = {
        "engine": "sklearn",
        "step": args.step,
        "size": int(meta["rows"]),
        "seconds": seconds,
        "cpuSeconds": cpu,
        "loadSeconds": load,
        "peakMb": peak_mb(),
        "quality": quality,
        "notes": notes,
    }
    with open(args.result, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    print(f"sklearn {args.step}: {seconds:.2f} s, peak {result['peakMb']:.0f} MB, {quality}", file=sys.stderr)


if __name__ == "__main__":
    main()
