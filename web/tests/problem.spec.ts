import { describe, expect, it } from 'vitest'
import { ApiError, fieldErrors, problemMessage } from '@/api/problem'

describe('problem+json', () => {
  it('maps field errors by field path and joins repeats', () => {
    const errs = fieldErrors({
      errors: [
        { field: 'uscc', message: '校验码错误，应为 Y' },
        { field: 'name', message: '不能为空' },
        { field: 'uscc', message: '长度应为 18' },
      ],
    })
    expect(errs).toEqual({ uscc: '校验码错误，应为 Y；长度应为 18', name: '不能为空' })
  })

  it('says the detail and the first field message in one line', () => {
    const e = new ApiError(422, { title: '参数无效', detail: '部分字段无效', errors: [{ field: 'year', message: '应为整数' }] })
    expect(problemMessage(e)).toBe('部分字段无效：应为整数')
    expect(e.fieldErrors).toEqual({ year: '应为整数' })
  })

  it('falls back to the title, then the status', () => {
    expect(problemMessage(new ApiError(409, { title: '冲突' }))).toBe('冲突')
    expect(problemMessage(new ApiError(500, {}))).toBe('HTTP 500')
  })
})
