import Vapor

let app = try await Application.make(.detect())
app.http.server.configuration.hostname = "0.0.0.0"
app.http.server.configuration.port = 8080
app.get { _ in "hello from swift\n" }
try await app.execute()
