import { Controller, Get, Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";

@Controller()
class HelloController {
  @Get()
  hello(): string {
    return "hello from nest\n";
  }
}

@Module({ controllers: [HelloController] })
class AppModule {}

NestFactory.create(AppModule).then((app) => app.listen(3000));
