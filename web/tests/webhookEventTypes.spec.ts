import { describe, expect, it } from 'vitest'
import { eventLabel, eventLabels, type WebhookEventType } from '@/utils/webhookEventTypes'

// Shaped like GET /api/v1/webhook-event-types answers.
const TYPES: WebhookEventType[] = [
  { code: 'pilot-enrolled', label: '入选贯标试点', description: 'An enterprise was enrolled.', cloudevents_type: 'cn.iims.pilot-enrolled.v1' },
  { code: 'certificate-issued', label: '颁发认定证书', description: 'A certificate was issued.', cloudevents_type: 'cn.iims.certificate-issued.v1' },
]

describe('webhook event types', () => {
  it('labels a code with the Chinese name the gateway serves', () => {
    expect(eventLabel(TYPES, 'certificate-issued')).toBe('颁发认定证书')
  })
  it('shows the code itself when the list lacks it', () => {
    expect(eventLabel(TYPES, 'retired-event')).toBe('retired-event')
    expect(eventLabel([], 'pilot-enrolled')).toBe('pilot-enrolled')
  })
  it('joins a subscription’s types in the order chosen', () => {
    expect(eventLabels(TYPES, ['certificate-issued', 'pilot-enrolled'])).toBe('颁发认定证书、入选贯标试点')
  })
})
