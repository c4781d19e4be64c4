import t from 'tap'
import { ManualClock, SystemClock, eloquaTimestamp } from '../../src/domain/clock.js'

t.test('eloquaTimestamp writes UTC with seven fractional digits, as Eloqua does', async (t) => {
  t.equal(eloquaTimestamp(Date.UTC(2024, 4, 1, 10, 5, 0, 123)), '2024-05-01T10:05:00.1230000Z')
  t.match(eloquaTimestamp(0), /^1970-01-01T00:00:00\.0000000Z$/)
})

t.test('ManualClock moves only when advanced', async (t) => {
  const clock = new ManualClock(1000)
  t.equal(clock.now(), 1000)
  clock.advance(250)
  t.equal(clock.now(), 1250)
  clock.reset()
  t.equal(clock.now(), 1000, 'reset: back to its start')
})

t.test('SystemClock follows Date.now, plus what it was advanced by', async (t) => {
  const clock = new SystemClock()
  const before = Date.now()
  const now = clock.now()
  t.ok(now >= before && now <= Date.now())
  clock.advance(60_000)
  t.ok(clock.now() >= before + 60_000 && clock.now() <= Date.now() + 60_000)
  clock.reset()
  t.ok(clock.now() <= Date.now(), 'reset: real time again')
})
