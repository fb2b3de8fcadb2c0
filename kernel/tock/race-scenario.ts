// A race scenario generator for interleaving exploration: two Tock clients notify a service that
// has not subscribed yet. The service first drains its queue with yield-no-wait (a notification
// delivered then finds the null upcall: TK-UPC-11, silently dropped), then subscribes and serves.
// Each process runs on its own CPU, all start at time 0, and the seeded PRNG breaks the ties
// between CPUs, so with some seeds a notification arrives before the drain and is dropped, with
// others both arrive after the subscription and both upcalls run.

/** The scenario text (a `.kscn` file). The service prints one line per upcall it receives. */
export function tockRaceScenario(): string {
  return `# Two Tock clients notify a service that is not subscribed yet: whether a notification is
# dropped (delivered to the null upcall, TK-UPC-11) depends on the interleaving (the seed).
scenario "tock race: notify before subscribe"

machine board {
  cpus 3
  memory 1MiB
}

process svc on board tock {
  thread main cpu 0 {
    # Six statements of set-up: the first yield-no-wait then meets the clients' notifications
    # at the same virtual time, so the seed decides which comes first.
    let driver = 0x10000
    let slot = 0
    let rounds = 12
    let counter = 0x2000_0000
    let seen = 0
    let limit = 2
    tock_yield(wait: 0)
    let s = tock_subscribe(driver: driver, num: slot, routine: on_notify)
    expect s == 130
    repeat rounds {
      tock_yield(wait: 0)
      yield()
    }
    seen = load32(counter)
    expect seen == limit
    print "service saw ", seen, " notification(s)"
  }
  routine on_notify(from, len, addr, userdata) {
    store32(0x2000_0000, load32(0x2000_0000) + 1)  # the counter the main code reads
    print "service notified by ", from
  }
}

process a on board tock {
  thread main cpu 1 {
    let r = tock_command(driver: 0x10000, command: 2, arg1: 0)
    expect r == 128
    repeat 12 {
      yield()
    }
  }
}

process b on board tock {
  thread main cpu 2 {
    let r = tock_command(driver: 0x10000, command: 2, arg1: 0)
    expect r == 128
    repeat 12 {
      yield()
    }
  }
}
`;
}
