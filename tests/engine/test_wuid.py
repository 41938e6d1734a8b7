import threading
from datetime import datetime, timedelta

from wsservices.engine.dfu.wuid import WuidClock, looks_like_wuid, normalize_wuid


class FakeClock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now


def test_format_and_suffixes_within_one_second():
    clock = FakeClock(datetime(2024, 1, 2, 3, 4, 5, 678))
    wuids = WuidClock(clock)
    assert [wuids.next() for _ in range(3)] == [
        "D20240102-030405", "D20240102-030405-1", "D20240102-030405-2"]
    clock.now += timedelta(seconds=1)
    assert wuids.next() == "D20240102-030406"


def test_unique_and_never_backwards():
    clock = FakeClock(datetime(2024, 1, 2, 3, 4, 5))
    wuids = WuidClock(clock)
    first = wuids.next()
    clock.now -= timedelta(hours=1)  # e.g. end of daylight saving time
    assert wuids.next() == first + "-1"


def test_existing_ids_are_skipped():
    taken = {"D20240102-030405", "D20240102-030405-1"}
    wuids = WuidClock(lambda: datetime(2024, 1, 2, 3, 4, 5), exists=taken.__contains__)
    assert wuids.next() == "D20240102-030405-2"


def test_threads_get_unique_ids():
    wuids = WuidClock(lambda: datetime(2024, 1, 2, 3, 4, 5))
    out, lock = [], threading.Lock()

    def work():
        for _ in range(50):
            w = wuids.next()
            with lock:
                out.append(w)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == 200
    assert all(looks_like_wuid(w) for w in out)


def test_default_clock_is_local_time():
    w = WuidClock().next()
    assert looks_like_wuid(w) and w.startswith("D" + datetime.now().strftime("%Y"))


def test_looks_like_wuid():
    assert looks_like_wuid("D20240101-123456")
    assert looks_like_wuid("d20240101-123456-3")
    assert looks_like_wuid(" D20240101-123456 ")
    for bad in ("W20240101-123456", "D2024010-123456", "D20240101123456", "D20240101-123456-",
                "D20240101-123456x", ""):
        assert not looks_like_wuid(bad), bad
    assert normalize_wuid(" d20240101-123456 ") == "D20240101-123456"
