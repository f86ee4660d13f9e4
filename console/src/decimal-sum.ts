/**
 * Exact sums of decimal texts ("1234.56", "-0.5") with BigInt, at the largest scale seen: amounts arrive
 * from the API as exact strings and are never turned into floats.
 */
export class DecimalSum {
  private units = 0n
  private scale = 0

  add (text: unknown): void {
    if (typeof text !== 'string' && typeof text !== 'number') return
    const match = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(String(text).trim())
    if (match === null || (match[2] === '' && (match[3] ?? '') === '')) return
    const fraction = match[3] ?? ''
    if (fraction.length > this.scale) {
      this.units *= 10n ** BigInt(fraction.length - this.scale)
      this.scale = fraction.length
    }
    const value = BigInt((match[2] === '' ? '0' : match[2] ?? '0') + fraction.padEnd(this.scale, '0'))
    this.units += match[1] === '-' ? -value : value
  }

  toString (): string {
    const negative = this.units < 0n
    const digits = (negative ? -this.units : this.units).toString().padStart(this.scale + 1, '0')
    const whole = digits.slice(0, digits.length - this.scale)
    return `${negative ? '-' : ''}${whole}${this.scale > 0 ? '.' + digits.slice(digits.length - this.scale) : ''}`
  }
}
