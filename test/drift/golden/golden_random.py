"""The same pseudo-random streams as test/support/tempStore.ts seededRandom (mulberry32), so golden cases are
generated from a seed on both sides instead of storing samples. Every value is a sum of k / 2**32 terms: exact in
binary64 in Python and in JavaScript alike."""

MASK = 0xFFFFFFFF


def _imul(a, b):
    result = (a * b) & MASK
    return result


class SeededRandom:
    def __init__(self, seed):
        self.state = seed & MASK

    def __call__(self):
        self.state = (self.state + 0x6D2B79F5) & MASK
        t = self.state
        t = _imul(t ^ (t >> 15), t | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & MASK
        t &= MASK
        return ((t ^ (t >> 14)) & MASK) / 4294967296
