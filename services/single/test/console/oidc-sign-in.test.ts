import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { startIdentityProvider, type TestIdentityProvider } from '@kalla/testing'
import { startConsole, type ConsoleHarness } from './console-harness.ts'

const CLIENT_ID = 'kalla-console'

/** Single mode trusting a test OIDC provider, whose sign-in page knows an operator and a viewer. */
async function withProvider (t: Test): Promise<ConsoleHarness & { idp: TestIdentityProvider }> {
  const idp = await startIdentityProvider()
  t.teardown(idp.stop)
  idp.addUser('olga', { name: 'Olga Operator', kalla_role: 'operator' })
  idp.addUser('vera', { name: 'Vera Viewer', kalla_role: 'viewer' })
  const harness = await startConsole(t, 50, undefined, {
    env: {
      KALLA_JWT_JWKS_URL: idp.jwksUrl,
      KALLA_JWT_ISSUER: idp.issuer,
      KALLA_JWT_AUDIENCE: idp.audience,
      KALLA_OIDC_CLIENT_ID: CLIENT_ID,
      KALLA_OIDC_PROVIDER_NAME: 'Test IdP'
    }
  })
  idp.addClient({ clientId: CLIENT_ID, redirectUris: [`${harness.url}/`] })
  return { ...harness, idp }
}

/** Clicks "Sign in with Test IdP" and signs in as `username` on the provider's own page. */
async function signInAtProvider (page: Page, url: string, username: string): Promise<void> {
  await page.goto(url)
  await page.getByRole('button', { name: 'Sign in with Test IdP' }).click()
  await page.getByLabel('Username').fill(username)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

t.test('a user signs in through the provider and sees what their role allows, then signs out', async (t) => {
  const { page, url, idp, foreign, cspViolations } = await withProvider(t)
  const config = await (await fetch(`${url}/auth/config`)).json() as { oidc: { clientId: string, tokenEndpoint: string } }
  t.same([config.oidc.clientId, config.oidc.tokenEndpoint], [CLIENT_ID, `${idp.issuer}/token`], 'GET /auth/config names the client and the token endpoint, without a key')

  await signInAtProvider(page, url, 'olga')
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
  t.match(await page.locator('.who').textContent(), /Olga Operator · operator/)
  t.equal(new URL(page.url()).search, '', 'the code and state left the address bar')
  t.same(idp.tokenAttempts, [{ ok: true }], 'one code exchanged, with the right verifier')
  const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('kalla.credential'), local: Object.keys(localStorage) }))
  t.ok(stored.session?.includes('"token"'), 'the token is kept in this tab (sessionStorage)')
  t.same(stored.local, [], 'and never in localStorage')
  await page.goto(`${url}/#/sources`)
  await page.getByLabel(/Upload CSV/).waitFor()
  t.pass('an operator gets the upload control')

  await page.reload()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
  t.pass('a reload keeps the session')
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByRole('heading', { name: 'Sign in to Kalla' }).waitFor()
  t.equal(await page.evaluate(() => sessionStorage.getItem('kalla.credential')), null, 'signing out forgets the token')

  await signInAtProvider(page, url, 'vera')
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
  t.match(await page.locator('.who').textContent(), /Vera Viewer · viewer/)
  await page.goto(`${url}/#/sources`)
  await page.getByRole('heading', { name: 'Registered sources' }).waitFor()
  t.equal(await page.getByLabel(/Upload CSV/).count(), 0, 'a viewer gets no upload control')
  t.same(foreign, [])
  t.same(cspViolations, [], 'the token request to the provider is allowed by the page\'s CSP')
})

t.test('a return with a state this tab did not send is refused before any code is exchanged', async (t) => {
  const { page, url, idp } = await withProvider(t)
  await page.goto(`${url}/?code=stolen-code&state=forged-state`)
  await page.getByRole('alert').filter({ hasText: 'not started from this tab' }).waitFor()
  t.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0, 'not signed in')
  t.same(idp.tokenAttempts, [], 'the token endpoint was never called')
  t.equal(new URL(page.url()).search, '', 'the forged code left the address bar')
})

t.test('a code exchanged with the wrong verifier is refused by the provider and the user is not signed in', async (t) => {
  const { page, context, url, idp } = await withProvider(t)
  // The request leaves the browser with its verifier swapped: what an attacker holding only the code sends.
  await context.route(`${idp.issuer}/token`, async (route) => {
    const form = new URLSearchParams(route.request().postData() ?? '')
    form.set('code_verifier', 'x'.repeat(64))
    await route.continue({ postData: form.toString() })
  })
  await signInAtProvider(page, url, 'olga')
  await page.getByRole('alert').filter({ hasText: 'refused to complete the sign-in (invalid_grant)' }).waitFor()
  t.same(idp.tokenAttempts, [{ ok: false, error: 'invalid_grant' }])
  t.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0, 'not signed in')
})

t.test('cancelling at the provider comes back with a message', async (t) => {
  const { page, url } = await withProvider(t)
  await page.goto(url)
  await page.getByRole('button', { name: 'Sign in with Test IdP' }).click()
  await page.getByRole('button', { name: 'Cancel' }).click()
  await page.getByRole('alert').filter({ hasText: 'cancelled at the provider' }).waitFor()
  t.pass('access_denied is shown in words')
})

t.test('an expired token signs the user out with a message', async (t) => {
  const { page, url, idp } = await withProvider(t)
  idp.setTokenLifetime(3)
  await signInAtProvider(page, url, 'olga')
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
  await page.getByRole('alert').filter({ hasText: 'Your sign-in expired' }).waitFor({ timeout: 20_000 })
  t.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0, 'signed out')
  t.equal(await page.evaluate(() => sessionStorage.getItem('kalla.credential')), null, 'and the token is forgotten')
})

t.test('an access token pasted in the key field signs in with its role', async (t) => {
  const { page, url, idp } = await withProvider(t)
  const token = await idp.sign({ sub: 'pat', name: 'Pat Pasted', kalla_role: 'viewer' })
  await page.goto(url)
  await page.getByLabel('API key').fill(token)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
  t.match(await page.locator('.who').textContent(), /Pat Pasted · viewer/)
  const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA')
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByLabel('API key').fill(forged)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('alert').filter({ hasText: 'Kalla does not know this key' }).waitFor()
  t.pass('a token with a broken signature is refused')
})
