export function FirstRunPage() {
  return (
    <section className="card" aria-labelledby="firstrun-title">
      <h2 id="firstrun-title">Set up MediaNest</h2>
    </section>
  );
}
