"""The small CLI verbs that are not the pipeline: new, clean, doctor (one module each)."""
