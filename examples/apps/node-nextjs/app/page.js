export default function Page() {
  return <h1>hello from next</h1>;
}
