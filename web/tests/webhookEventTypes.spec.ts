/// <reference types="node" />
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { eventLabel, eventLabels, type WebhookEventType } from '@/utils/webhookEventTypes'

// Two real event types, taken from the contracts package's published catalogue (topics are
// named only in libs/contracts); shaped like GET /api/v1/webhook-event-types answers.
const published = JSON.parse(
  readFileSync(`${process.cwd()}/../libs/contracts/iims_contracts/published.json`, 'utf8'),
) as Record<string, unknown>
const [first, second] = Object.keys(published).map((type) => ({
  type,
  code: type.replace(/^cn\.iims\./, '').replace(/\.v\d+$/, ''),
}))
const TYPES: WebhookEventType[] = [
  { code: first.code, label: '第一类事件', description: 'The first.', cloudevents_type: first.type },
  { code: second.code, label: '第二类事件', description: 'The second.', cloudevents_type: second.type },
]

describe('webhook event types', () => {
  it('labels a code with the Chinese name the gateway serves', () => {
    expect(first.code).toMatch(/^[a-z]+(-[a-z]+)+$/)
    expect(eventLabel(TYPES, second.code)).toBe('第二类事件')
  })
  it('shows the code itself when the list lacks it', () => {
    expect(eventLabel(TYPES, 'retired-event')).toBe('retired-event')
    expect(eventLabel([], first.code)).toBe(first.code)
  })
  it('joins a subscription’s types in the order chosen', () => {
    expect(eventLabels(TYPES, [second.code, first.code])).toBe('第二类事件、第一类事件')
  })
})
