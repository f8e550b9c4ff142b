// SVG helpers of the renderer: Grafana's dark theme colours, text escaping, and text widths
// estimated from character classes (the picture is laid out before any browser sees it).

/** Grafana's dark theme, as far as the picture uses it. */
export const theme = {
  canvas: '#111217',
  panel: '#181b1f',
  border: 'rgba(204, 204, 220, 0.12)',
  text: '#ccccdc',
  secondaryText: 'rgba(204, 204, 220, 0.65)',
  grid: 'rgba(204, 204, 220, 0.1)',
  annotation: 'rgba(0, 211, 255, 0.75)',
  font: 'Inter, Helvetica, Arial, sans-serif',
} as const

/** `text` safe inside an SVG element or attribute. */
function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/**
 * Width of `text` in px at `fontSize` in a Helvetica-like face, erring wide: upper case and digits
 * are broader than lower case, spaces and punctuation narrower.
 */
export function textWidth(text: string, fontSize: number): number {
  let em = 0
  for (const char of text) {
    if (/[A-Z_]/.test(char)) em += 0.68
    else if (/[0-9]/.test(char)) em += 0.56
    else if (/[a-z]/.test(char)) em += /[ilfjt]/.test(char) ? 0.3 : 0.55
    else em += 0.33
  }
  return em * fontSize
}

/** An SVG `<text>` element. */
export function text(
  x: number,
  y: number,
  content: string,
  options: { size?: number; color?: string; anchor?: 'start' | 'middle' | 'end'; weight?: number },
): string {
  const { size = 12, color = theme.text, anchor = 'start', weight = 400 } = options
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${size}" fill="${color}" text-anchor="${anchor}" font-weight="${weight}">${escapeXml(content)}</text>`
}
