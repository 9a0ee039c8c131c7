/// <reference types="node" />
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { SERVICE_LABELS, label, labels, options } from '@/utils/labels'

// The services' enum modules, as text: the console table must copy their labels verbatim.
const read = (p: string): string => readFileSync(`${process.cwd()}/../${p}`, 'utf8')
const audit = read('services/audit/audit/domain/enums.py')
const training = read('services/training/training/domain/enums.py')

describe('label', () => {
  afterEach(() => {
    labels.value = {}
  })
  it('gives the Chinese of the services’ codes the registry catalogue lacks', () => {
    expect(label('ApplicationStatus', 'accepted')).toBe('已受理')
    expect(label('AuditKind', 'stage1')).toBe('文件审核')
    expect(label('QualificationKind', 'auditor')).toBe('认定资质')
    expect(label('Severity', 'major')).toBe('严重不符合')
  })
  it('prefers the server catalogue, falls back to the code, dashes a missing code', () => {
    labels.value = { PilotStatus: { enrolled: '已入选' }, AuditKind: { stage1: '一阶段' } }
    expect(label('PilotStatus', 'enrolled')).toBe('已入选')
    expect(label('AuditKind', 'stage1')).toBe('一阶段')
    expect(label('PilotStatus', 'nonesuch')).toBe('nonesuch')
    expect(label('NoSuchKind', 'x')).toBe('x')
    expect(label('PilotStatus', null)).toBe('—')
    expect(label('PilotStatus', '')).toBe('—')
  })
  it('lists a kind’s options, server labels over the console table', () => {
    labels.value = { AuditStatus: { planned: '计划中' } }
    expect(options('AuditStatus')).toEqual([
      ['planned', '计划中'],
      ['completed', '已完成'],
      ['cancelled', '已取消'],
    ])
  })
  it('copies the services’ own labels verbatim (no drift)', () => {
    for (const kind of ['ApplicationStatus', 'AuditKind', 'AuditStatus', 'TeamRole', 'Severity', 'FindingStatus', 'CertificateStatus', 'QualificationKind']) {
      for (const [code, text] of Object.entries(SERVICE_LABELS[kind])) expect(audit, `${kind}.${code}`).toContain(`"${code}": "${text}"`)
    }
    for (const kind of ['QualificationKind', 'EnrollmentStatus', 'OrganizationKind']) {
      for (const [code, text] of Object.entries(SERVICE_LABELS[kind])) expect(training, `${kind}.${code}`).toContain(`${kind}.${code}: "${text}"`)
    }
  })
})
