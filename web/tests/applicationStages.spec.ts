import { describe, expect, it } from 'vitest'
import { applicationStages, runningLongEnough } from '@/utils/applicationStages'
import { addDays, addMonths } from '@/utils/dates'

describe('application timeline', () => {
  it('waits on the certification body while stage 1 is planned', () => {
    const s = applicationStages('stage1_planned')
    expect(s.map((x) => x.state).slice(0, 3)).toEqual(['done', 'current', 'todo'])
    expect(s[1]).toMatchObject({ key: 'stage1', waitingOn: 'certification_body' })
  })
  it('waits on the enterprise while findings are open after stage 2, else on the conclusion', () => {
    expect(applicationStages('stage2_completed', 2).find((x) => x.state === 'current')).toMatchObject({ key: 'findings', waitingOn: 'enterprise' })
    expect(applicationStages('stage2_completed', 0).find((x) => x.state === 'current')).toMatchObject({ key: 'conclusion', waitingOn: 'certification_body' })
  })
  it('review and notice belong to the management organization and the public', () => {
    expect(applicationStages('under_review').find((x) => x.state === 'current')).toMatchObject({ key: 'review', waitingOn: 'management_org' })
    expect(applicationStages('in_notice').find((x) => x.state === 'current')).toMatchObject({ key: 'notice', waitingOn: 'public' })
  })
  it('a certified application has every step done', () => {
    expect(applicationStages('certified').every((x) => x.state === 'done')).toBe(true)
  })
  it('a rejection stops at the step it reached', () => {
    const s = applicationStages('rejected', 0, 'under_review')
    expect(s.find((x) => x.state === 'stopped')?.key).toBe('review')
    expect(s.filter((x) => x.state === 'current')).toHaveLength(0)
  })
})

describe('3 months running (application.system-running-3-months)', () => {
  const today = new Date(Date.UTC(2026, 4, 31)) // 2026-05-31
  it('counts whole months and clamps to the month end like the API', () => {
    expect(runningLongEnough('2026-02-28', today)).toBe(true)
    expect(runningLongEnough('2026-03-01', today)).toBe(false)
    expect(runningLongEnough('2026-02-27', today)).toBe(true)
  })
  it('refuses a malformed date', () => {
    expect(runningLongEnough('', today)).toBe(false)
  })
})

describe('ISO date arithmetic', () => {
  it('adds months clamped to the month end (6-month rule for majors)', () => {
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28')
    expect(addMonths('2026-01-15', 6)).toBe('2026-07-15')
    expect(addMonths('2026-05-31', -3)).toBe('2026-02-28')
  })
  it('adds days across months and years (90-day rule for minors)', () => {
    expect(addDays('2026-12-15', 90)).toBe('2027-03-15')
  })
})
