var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/", () => "hello from aspnetcore\n");
app.Run();
