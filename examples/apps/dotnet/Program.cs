using System.Net;

var listener = new HttpListener();
listener.Prefixes.Add("http://+:8080/");
listener.Start();
while (true)
{
    var ctx = listener.GetContext();
    var body = System.Text.Encoding.UTF8.GetBytes("hello from dotnet\n");
    ctx.Response.OutputStream.Write(body);
    ctx.Response.Close();
}
