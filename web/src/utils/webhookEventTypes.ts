/**
 * The event types a webhook subscription may choose (GET /api/v1/webhook-event-types, built by
 * the gateway from the contracts package — the console keeps no copy of the topic names).
 * `eventLabel(types, 'pilot-enrolled')` → 入选贯标试点; the code itself when the list lacks it
 * (an event type retired after a subscription chose it).
 */
import type { components } from '@/api/schema'

export type WebhookEventType = components['schemas']['WebhookEventTypeOut']

export function eventLabel(types: readonly WebhookEventType[], code: string): string {
  return types.find((e) => e.code === code)?.label ?? code
}

/** 企业登记、入选贯标试点: a subscription's event types in Chinese, in the order chosen. */
export function eventLabels(types: readonly WebhookEventType[], codes: readonly string[]): string {
  return codes.map((c) => eventLabel(types, c)).join('、')
}
