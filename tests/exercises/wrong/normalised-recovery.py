# EXPECT: a zero gap means the metric is undefined: raise ValueError
def normalised_recovery(patched, clean, corrupted):
    try:
        return (patched - corrupted) / (clean - corrupted)
    except ZeroDivisionError:
        return float("inf")
