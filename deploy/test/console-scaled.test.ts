import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildConsole } from '@kalla/console/build'
import { expectedResults, generateDataset } from '@kalla/datagen'
import { startBrowser, startIdentityProvider } from '@kalla/testing'
import { startTopology } from './topology.ts'

// The web console served by the scaled gateway (its own OS process, every service in its own, over NATS
// with per-service permissions, Postgres and S3): an operator signs in through the OIDC provider, uploads
// the generator's two files, writes a recipe from a template and runs it to the ground truth's counts.
const CLIENT_ID = 'kalla-console'
const dir = await mkdtemp(join(tmpdir(), 'kalla-console-scaled-'))
const topology = await startTopology()
t.teardown(async () => {
  await topology.stop()
  await rm(dir, { recursive: true, force: true })
})
const idp = await startIdentityProvider()
t.teardown(idp.stop)
idp.addUser('olga', { name: 'Olga Operator', kalla_role: 'operator' })
await buildConsole()
await Promise.all([topology.start('sources', 'sources'), topology.start('recipes', 'recipes'), topology.start('runs', 'runs'), topology.start('matcher', 'matcher')])
await topology.start('gateway', 'gateway', {
  KALLA_JWT_JWKS_URL: idp.jwksUrl,
  KALLA_JWT_ISSUER: idp.issuer,
  KALLA_JWT_AUDIENCE: idp.audience,
  KALLA_OIDC_CLIENT_ID: CLIENT_ID,
  KALLA_OIDC_PROVIDER_NAME: 'Test IdP'
})
const url = `http://127.0.0.1:${topology.port('gateway')}`
idp.addClient({ clientId: CLIENT_ID, redirectUris: [`${url}/`] })
const data = await generateDataset({ outDir: join(dir, 'input'), invoices: 300, seed: 11, formats: ['csv'] })
const truth = (await expectedResults(data.invoicesPath, data.paymentsPath))['one-to-one']

t.test('an operator signs in through the provider on the scaled gateway, uploads both files and runs a recipe to the ground truth', async (t) => {
  const { page, foreign, cspViolations } = await startBrowser(t)
  await page.goto(url)
  await page.getByRole('button', { name: 'Sign in with Test IdP' }).click()
  await page.getByLabel('Username').fill('olga')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
  t.match(await page.locator('.who').textContent(), /Olga Operator · operator/)

  await page.goto(`${url}/#/sources`)
  await page.getByLabel(/Upload CSV/).setInputFiles([data.invoicesPath, data.paymentsPath])
  for (const name of ['invoices.csv', 'payments.csv']) await page.locator(`details[data-upload="${name}"]`).waitFor()

  await page.goto(`${url}/#/recipes/new`)
  await page.getByLabel('Recipe id').fill('scaled-one-to-one')
  await page.getByLabel('Name', { exact: true }).fill('Scaled invoices to payments')
  await page.getByLabel('File').first().selectOption({ label: 'invoices.csv' })
  await page.getByLabel('File').nth(1).selectOption({ label: 'payments.csv' })
  await page.getByLabel('Match pattern').selectOption({ label: 'One to one, with an amount tolerance' })
  await page.getByRole('button', { name: 'Use this template' }).click()
  await page.getByText('The recipe is valid.').waitFor()
  await page.getByRole('button', { name: 'Save and run' }).click()
  await page.getByTestId('run-status').getByText('COMPLETED').waitFor({ timeout: 120_000 })
  await page.getByTestId('count-unmatched-right').waitFor()
  t.same(await Promise.all(['matched', 'unmatched-left', 'unmatched-right'].map(async (k) => Number(await page.getByTestId(`count-${k}`).textContent()))),
    [truth.matched_count, truth.unmatched_left_count, truth.unmatched_right_count], 'the run followed live shows the ground truth counts')
  t.same(foreign, [], 'the console asked nothing of any other host')
  t.same(cspViolations, [], 'and broke no rule of its Content-Security-Policy')
})
