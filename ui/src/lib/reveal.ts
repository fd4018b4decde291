// A form that opens below what is on screen scrolls itself into view and takes the focus:
// "Dampingi sebagai…", "Batalkan kunjungan" and the hub's form opened out of sight.
export function reveal(node: HTMLElement) {
  requestAnimationFrame(() => {
    node.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' })
    const first = node.querySelector<HTMLElement>('input:not([type=hidden]), select, textarea')
    first?.focus({ preventScroll: true })
  })
}
