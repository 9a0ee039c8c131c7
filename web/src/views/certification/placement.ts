/** One audit of a schedule proposal (`ProposalOut.placements[]`, the audit service's
 * `_placement_json`): typed here because the API gives the placements as plain objects. */
export interface Placement {
  application_id?: string
  certificate_id?: string
  kind: string
  starts_on: string
  ends_on: string
  audit_days: number
  onsite_days: number
  team: Array<{ person_id: string; role: 'lead' | 'member' }>
}
