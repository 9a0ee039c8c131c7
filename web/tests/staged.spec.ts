import { describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick, ref } from 'vue'
import { mount } from '@vue/test-utils'
import { useStaged } from '@/utils/staged'

/** One frame and the macrotask after it (what useStaged waits for between steps). */
const frame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))

function harness(total: ReturnType<typeof ref<number>>, first: number, step: number) {
  let staged!: ReturnType<typeof useStaged>
  const wrapper = mount(defineComponent({
    setup() {
      staged = useStaged(() => total.value ?? 0, first, step)
      return () => h('ol', Array.from({ length: Math.min(staged.shown.value, total.value ?? 0) }, (_, i) => h('li', i)))
    },
  }))
  return { wrapper, staged: () => staged }
}

describe('staged rendering', () => {
  it('renders the first part at once, then a step per frame until everything is there', async () => {
    const total = ref(7)
    const { wrapper, staged } = harness(total, 2, 2)
    expect(wrapper.findAll('li')).toHaveLength(2)
    expect(staged().done.value).toBe(false)
    await frame()
    await nextTick()
    expect(wrapper.findAll('li')).toHaveLength(4)
    for (let i = 0; i < 5; i++) await frame()
    await nextTick()
    expect(wrapper.findAll('li')).toHaveLength(7)
    expect(staged().done.value).toBe(true)
  })
  it('a new document starts again from the first part and grows to its own size', async () => {
    const total = ref(0)
    const { wrapper, staged } = harness(total, 1, 1)
    expect(staged().done.value).toBe(true) // nothing to show yet
    total.value = 3
    await nextTick()
    expect(wrapper.findAll('li')).toHaveLength(1)
    expect(staged().done.value).toBe(false)
    for (let i = 0; i < 4; i++) await frame()
    await nextTick()
    expect(wrapper.findAll('li')).toHaveLength(3)
    expect(staged().done.value).toBe(true)
  })
})
