// The official JS SDK (@bitrix24/b24jssdk) through the shared scenario steps.
//
// Run by interop/run.py with node from .interop/node; the portal's https webhook URL and
// the expected figures come in the environment. Prints one JSON line per step:
// {"step": ..., "ok": true|false, "detail": ...}. The steps mirror interop/python_peers.py
// and interop/crm_flow.py, in the SDK's own API (actions.v2.*).
import { B24Hook } from '@bitrix24/b24jssdk'

const DEALS = Number(process.env.INTEROP_DEALS)
const ABOVE = Number(process.env.INTEROP_LIST_ABOVE)
const PORTAL = process.env.INTEROP_PORTAL_URL // where the emulator's own links point
const b24 = B24Hook.fromWebhookUrl(process.env.INTEROP_WEBHOOK)
b24.offClientSideWarning()

function expect (condition, message) {
  if (!condition) throw new Error(message)
}

async function call (method, params) {
  const response = await b24.actions.v2.call.make({ method, params })
  if (!response.isSuccess) throw new Error(response.getErrorMessages().join('; '))
  return response.getData().result
}

function range (from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i)
}

function sameIds (rows, want) {
  const ids = rows.map((row) => Number(row.ID ?? row.id)).sort((a, b) => a - b)
  return JSON.stringify(ids) === JSON.stringify(want)
}

const steps = {
  async list () {
    const rows = await call('crm.deal.list', { filter: { '>ID': ABOVE }, select: ['ID', 'TITLE'] })
    expect(sameIds(rows, range(ABOVE + 1, DEALS)), `page: ${JSON.stringify(rows).slice(0, 200)}`)
    return `${rows.length} rows`
  },
  async 'export callList' () {
    const response = await b24.actions.v2.callList.make({ method: 'crm.deal.list', params: { select: ['ID'] }, idKey: 'ID' })
    expect(response.isSuccess, response.getErrorMessages().join('; '))
    expect(sameIds(response.getData(), range(1, DEALS)), `${response.getData().length} rows`)
    return `${response.getData().length} deals`
  },
  async 'export fetchList' () {
    const rows = []
    for await (const chunk of b24.actions.v2.fetchList.make({ method: 'crm.deal.list', params: { select: ['ID'] }, idKey: 'ID' })) {
      rows.push(...chunk)
    }
    expect(sameIds(rows, range(1, DEALS)), `${rows.length} rows`)
    return `${rows.length} deals`
  },
  async 'batch with references' () {
    const response = await b24.actions.v2.batch.make({
      calls: {
        add: { method: 'crm.contact.add', params: { fields: { NAME: 'Referenced' } } },
        get: { method: 'crm.contact.get', params: { id: '$result[add]' } }
      },
      options: { isHaltOnError: true }
    })
    expect(response.isSuccess, response.getErrorMessages().join('; '))
    const data = response.getData()
    expect(data.get.NAME === 'Referenced', `get by reference: ${JSON.stringify(data.get)}`)
    return `contact ${data.add}`
  },
  async 'payment family' () {
    const payment = Number(await call('crm.item.payment.add', { entityTypeId: 2, entityId: 1 }))
    const item = Number(await call('crm.item.payment.product.add', { paymentId: payment, rowId: 11, quantity: 1 }))
    expect(await call('crm.item.payment.pay', { id: payment }) === true, 'pay did not answer true')
    const got = await call('crm.item.payment.get', { id: payment })
    expect(got.paid === 'Y' && Number(got.sum) === 100, `payment after pay: ${JSON.stringify(got)}`)
    const url = (await call('salescenter.payment.getPublicUrl', { id: payment })).payment.url
    expect(typeof url === 'string' && url.startsWith(`${PORTAL}/pub/payment/${payment}/`), `public url ${url}`)
    return `payment ${payment}, item ${item}`
  },
  async 'crm integration' () {
    const company = Number(await call('crm.company.add', { fields: { TITLE: 'Peer Ltd', COMPANY_TYPE: 'CUSTOMER' } }))
    const contact = Number(await call('crm.contact.add', { fields: { NAME: 'Ann', LAST_NAME: 'Peer' } }))
    expect(await call('crm.contact.update', { id: contact, fields: { COMPANY_ID: company } }) === true, 'contact.update')
    const linked = await call('crm.contact.get', { id: contact })
    expect(linked.COMPANY_ID === String(company), `contact's COMPANY_ID ${linked.COMPANY_ID}`)
    const deal = Number(await call('crm.deal.add', {
      fields: { TITLE: 'Peer deal', STAGE_ID: 'NEW', COMPANY_ID: company, CONTACT_ID: contact, OPPORTUNITY: 500 }
    }))
    expect(await call('crm.deal.update', { id: deal, fields: { STAGE_ID: 'PREPARATION' } }) === true, 'deal.update')
    const filter = { STAGE_ID: 'PREPARATION', COMPANY_ID: company }
    const moved = await call('crm.deal.list', { filter, select: ['ID', 'STAGE_ID', 'CONTACT_ID'] })
    expect(moved.length === 1 && moved[0].ID === String(deal), `deals in PREPARATION: ${JSON.stringify(moved)}`)
    expect(moved[0].CONTACT_ID === String(contact), `deal's CONTACT_ID ${moved[0].CONTACT_ID}`)
    expect(await call('crm.deal.delete', { id: deal }) === true, 'deal.delete')
    const left = await call('crm.deal.list', { filter, select: ['ID'] })
    expect(left.length === 0, `deal still listed after delete: ${JSON.stringify(left)}`)
    return `company ${company}, contact ${contact}, deal ${deal}`
  },
  async 'error reply' () {
    // the SDK throws an AjaxError for an error reply; its message should be the description
    let text
    try {
      const response = await b24.actions.v2.call.make({ method: 'crm.item.payment.get', params: { id: 999999 } })
      expect(!response.isSuccess, 'a missing payment succeeded')
      text = response.getErrorMessages().join('; ')
    } catch (error) {
      text = `${error?.code ?? ''}: ${error?.message ?? error}`
    }
    expect(text.toLowerCase().includes('not been found'), `the description is lost: ${text}`)
    return text.slice(0, 120)
  }
}

for (const [step, run] of Object.entries(steps)) {
  try {
    const detail = await run()
    console.log(JSON.stringify({ step, ok: true, detail: String(detail ?? '') }))
  } catch (error) {
    console.log(JSON.stringify({ step, ok: false, detail: String(error?.message ?? error).slice(0, 400) }))
  }
}
