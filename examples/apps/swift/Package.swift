// swift-tools-version:5.10
import PackageDescription

let package = Package(
    name: "Hello",
    dependencies: [.package(url: "https://github.com/vapor/vapor.git", from: "4.106.0")],
    targets: [.executableTarget(name: "Hello", dependencies: [.product(name: "Vapor", package: "vapor")])]
)
