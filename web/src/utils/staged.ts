/**
 * Staged rendering: a long page renders its first parts at once and the rest a few at a
 * time, one step per macrotask after a paint, so no single task builds the whole page (a
 * long task blocks input; Lighthouse counts it as blocking time). Nothing is hidden from
 * the person: the later parts appear within a few frames, in order.
 *
 *   const shown = useStaged(() => sections.length, 2)   // 2 now, then +1 per frame
 *   <section v-for="(s, i) in sections" v-if="i < shown"> … </section>
 *
 * `total` is re-read when it changes (a new document restarts from `first`); `done` is true
 * once everything is rendered (tests wait for it before they walk every question).
 */
import { computed, onBeforeUnmount, ref, watch, type ComputedRef, type Ref } from 'vue'

export interface Staged {
  shown: Ref<number>
  done: ComputedRef<boolean>
}

/** After the next paint: a frame, then a new macrotask (rendering happens between them). */
function afterPaint(fn: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  const frame = requestAnimationFrame(() => {
    timer = setTimeout(fn, 0)
  })
  return () => {
    cancelAnimationFrame(frame)
    clearTimeout(timer)
  }
}

export function useStaged(total: () => number, first = 1, step = 1): Staged {
  const shown = ref(first)
  let cancel: (() => void) | null = null
  const tick = (): void => {
    cancel = null
    if (shown.value >= total()) return
    shown.value += step
    cancel = afterPaint(tick)
  }
  watch(total, (n, old) => {
    cancel?.()
    if (n !== old) shown.value = first
    cancel = afterPaint(tick)
  }, { immediate: true })
  onBeforeUnmount(() => cancel?.())
  return { shown, done: computed(() => shown.value >= total()) }
}
