import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress

@main def hello(): Unit =
  val server = HttpServer.create(InetSocketAddress(9000), 0)
  server.createContext("/", exchange => {
    val body = "Hello from Scala\n".getBytes
    exchange.sendResponseHeaders(200, body.length)
    exchange.getResponseBody.write(body)
    exchange.close()
  })
  server.start()
