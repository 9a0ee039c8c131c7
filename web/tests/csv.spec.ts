import { describe, expect, it } from 'vitest'
import { csvCell, toCsv } from '@/utils/csv'

describe('csv', () => {
  it('quotes commas, quotes and newlines', () => {
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
  })
  it('neutralizes cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"')
    expect(csvCell('+1')).toBe("'+1")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('-2')).toBe("'-2")
    expect(csvCell('江苏')).toBe('江苏')
  })
  it('starts with a BOM and ends lines with CRLF', () => {
    expect(toCsv([['行号', '原因'], [2, '校验码错误']])).toBe('\uFEFF行号,原因\r\n2,校验码错误\r\n')
  })
})
